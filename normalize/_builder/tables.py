"""Filling the index's tables (normalize._common.schema) from append-only staging tables.

Loading appends to rowid tables without indexes; the final WITHOUT ROWID tables are then
filled in key order by GROUP BY, so SQLite's external sorter does the deduplication and
no step keeps all atoms in Python.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from normalize._common.schema import CARD_COLUMNS, FINAL, INDEX_FILE, SCHEMA_VERSION

STAGE_FILE = "stage.sqlite"

# Staging lives in its own file, deleted after the build, so the index needs no VACUUM.
BUILD_PRAGMAS = (
    *(
        f"PRAGMA {schema}.{pragma}"
        for schema in ("main", "stage")
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -131072")
    ),
    "PRAGMA locking_mode = EXCLUSIVE",
    "PRAGMA temp_store = FILE",
)

STAGING = """
CREATE TABLE stage.names (cid INTEGER, rank INTEGER, name TEXT);
CREATE TABLE stage.terms (key TEXT, cid INTEGER, n INTEGER);
CREATE TABLE stage.codes (cid INTEGER, sab TEXT, tty TEXT, code TEXT);
CREATE TABLE stage.sty (cid INTEGER, tui TEXT, name TEXT);
CREATE TABLE stage.rel (src INTEGER, rela TEXT, dst INTEGER);
CREATE TABLE stage.atoms (cid INTEGER, text TEXT);
"""

FILL_CARDS = f"""INSERT INTO cards SELECT c.cid, {CARD_COLUMNS}
FROM concepts c WHERE c.kinds != 0"""  # noqa: S608 - our own constant
FILL_SEMANTIC_TYPES = "INSERT INTO semantic_types SELECT tui, max(name) FROM sty GROUP BY tui"

# The atom strings of drug and adverse-event concepts (case-folded), with the kinds of every
# concept they name, for dictionary matching (normalize._query.lexicon). SQLite has no bit_or.
FILL_LEXICON = """INSERT INTO lexicon
SELECT lower(a.text), max(c.kinds & 1) | max(c.kinds & 2)
FROM stage.atoms a JOIN concepts c ON c.cid = a.cid
WHERE c.kinds != 0 GROUP BY lower(a.text)"""

# Sorted GROUP BY output goes into each B-tree in key order: appends, not random inserts.
FILL = {
    "semantic types": "INSERT INTO sty SELECT cid, tui, max(name) FROM stage.sty GROUP BY cid, tui",
    "codes": """INSERT INTO codes SELECT cid, sab, tty, code FROM stage.codes
                GROUP BY cid, sab, tty, code""",
    "relations": "INSERT INTO rel SELECT src, rela, dst FROM stage.rel GROUP BY src, rela, dst",
}


# After `concepts`: keys of concepts of no mention kind are never looked up.
# `best` flags the kinds for which the row's concept is its key's exact hit (most atoms,
# then lowest id), so a batch reads one row and one card per key.
FILL_TERMS = """INSERT INTO terms SELECT key, cid, kinds, n,
  (kinds & 1) * (row_number() OVER (PARTITION BY key ORDER BY kinds & 1 DESC, n DESC, cid) = 1)
  | (kinds & 2) * (row_number() OVER (PARTITION BY key ORDER BY kinds & 2 DESC, n DESC, cid) = 1)
FROM (SELECT t.key, t.cid, c.kinds, sum(t.n) AS n
      FROM stage.terms t JOIN concepts c ON c.cid = t.cid
      WHERE c.kinds != 0 GROUP BY t.key, t.cid)"""


def fill_concepts(
    db: sqlite3.Connection, drug_tuis: frozenset[str], ae_tuis: frozenset[str]
) -> None:
    """One row per concept: its best-ranked name and its kind flags (1 drug, 2 adverse event)."""
    drug = ",".join(f"'{t}'" for t in sorted(drug_tuis))
    ae = ",".join(f"'{t}'" for t in sorted(ae_tuis))
    # SQLite returns the bare `name` column of the row where min(rank) was found.
    db.execute(
        f"""
        INSERT INTO concepts
        SELECT n.cid, n.name,
               coalesce((SELECT max(tui IN ({drug})) | (max(tui IN ({ae})) << 1)
                         FROM sty WHERE sty.cid = n.cid), 0)
        FROM (SELECT cid, name, min(rank) FROM stage.names GROUP BY cid) AS n
        """  # noqa: S608 - the interpolated values are our own constants
    )


def open_for_build(directory: Path) -> sqlite3.Connection:
    """A new index in `directory`, with its staging database attached as `stage`."""
    db = sqlite3.connect(directory / INDEX_FILE, isolation_level=None)
    db.execute("ATTACH DATABASE ? AS stage", (str(directory / STAGE_FILE),))
    for pragma in BUILD_PRAGMAS:
        db.execute(pragma)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.executescript(STAGING + FINAL)
    return db
