"""SQLite layout of the terminology index: staging tables (append-only) and final tables.

Loading appends to rowid tables without indexes; the final WITHOUT ROWID tables are then
filled in key order by GROUP BY, so SQLite's external sorter does the deduplication and
no step keeps all atoms in Python. `cards` holds, per linkable concept, everything a link
result shows as one row, so a hit costs one row read instead of four subqueries: plain
columns, the codes alone as JSON (decoded only when read), semantic-type names once in
`semantic_types`.
`terms` holds only the keys of linkable concepts, each with its concept's kind flags, so a
lookup filters by kind without reading another table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

INDEX_FILE = "index.sqlite"
STAGE_FILE = "stage.sqlite"
SCHEMA_VERSION = 6

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

FINAL = """
CREATE TABLE concepts (cid INTEGER PRIMARY KEY, name TEXT NOT NULL, kinds INTEGER NOT NULL);
CREATE TABLE terms (key TEXT, cid INTEGER, kinds INTEGER, n INTEGER, best INTEGER,
                    PRIMARY KEY (key, cid)) WITHOUT ROWID;
CREATE TABLE codes (cid INTEGER, sab TEXT, tty TEXT, code TEXT,
                    PRIMARY KEY (cid, sab, tty, code)) WITHOUT ROWID;
CREATE TABLE sty (cid INTEGER, tui TEXT, name TEXT, PRIMARY KEY (cid, tui)) WITHOUT ROWID;
CREATE TABLE rel (src INTEGER, rela TEXT, dst INTEGER,
                  PRIMARY KEY (src, rela, dst)) WITHOUT ROWID;
CREATE TABLE ingredients (cid INTEGER, rxcui TEXT, PRIMARY KEY (cid, rxcui)) WITHOUT ROWID;
CREATE TABLE meddra_pt (cid INTEGER, code TEXT, PRIMARY KEY (cid, code)) WITHOUT ROWID;
CREATE TABLE semantic_types (tui TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE cards (cid INTEGER PRIMARY KEY, name TEXT NOT NULL, tuis TEXT NOT NULL,
                    ingredients TEXT NOT NULL, meddra_pt TEXT, codes TEXT NOT NULL);
CREATE TABLE lexicon (text TEXT PRIMARY KEY, kinds INTEGER NOT NULL) WITHOUT ROWID;
"""

# name, TUIs and ingredient RXCUIs (space-separated, sorted), MedDRA PT or null, and
# {sab: [code...]...} with the codes sorted here (aggregates follow the sorted subquery) so
# reading a card sorts nothing.
CARD_COLUMNS = """c.name,
  coalesce((SELECT group_concat(tui, ' ') FROM
    (SELECT tui FROM sty WHERE sty.cid = c.cid ORDER BY tui)), ''),
  coalesce((SELECT group_concat(rxcui, ' ') FROM
    (SELECT rxcui FROM ingredients WHERE ingredients.cid = c.cid ORDER BY rxcui)), ''),
  (SELECT min(code) FROM meddra_pt WHERE meddra_pt.cid = c.cid),
  (SELECT json_group_object(sab, json(codes)) FROM
    (SELECT sab, json_group_array(code) AS codes FROM
      (SELECT DISTINCT sab, code FROM codes WHERE codes.cid = c.cid ORDER BY sab, code)
     GROUP BY sab))"""
FILL_CARDS = f"""INSERT INTO cards SELECT c.cid, {CARD_COLUMNS}
FROM concepts c WHERE c.kinds != 0"""  # noqa: S608 - our own constant
FILL_SEMANTIC_TYPES = "INSERT INTO semantic_types SELECT tui, max(name) FROM sty GROUP BY tui"

# The atom strings of drug and adverse-event concepts (case-folded), with the kinds of every
# concept they name, for dictionary matching (normalize.lexicon). SQLite has no bit_or.
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
