"""The terminology index as a term source for dictionary matching: every distinct atom
string of a drug or adverse-event concept, with its kind, streamed from the index's
`lexicon` table (the rule extractor compiles them into its token trie)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from normalize._common.kinds import KIND_BITS, KINDS, Kind
from normalize._common.schema import INDEX_FILE
from pvkg.errors import TerminologyError

BATCH = 10_000


def index_terms(index_dir: str | Path) -> Iterator[tuple[str, Kind]]:
    """(term, kind) for each atom string of the index's drug and adverse-event concepts; a
    string of a concept of both kinds comes once per kind."""
    path = Path(index_dir) / INDEX_FILE
    if not path.is_file():
        raise TerminologyError(
            f"{index_dir}: not a terminology index",
            hint="build one with `pvkg terminology build RRF_DIR -o DIR`",
        )
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = db.execute("SELECT text, kinds FROM lexicon")
        while rows := cursor.fetchmany(BATCH):
            for text, bits in rows:
                for kind in KINDS:
                    if bits & KIND_BITS[kind]:
                        yield text, kind
    except sqlite3.OperationalError as exc:
        raise TerminologyError(
            f"{index_dir}: the index has no term list ({exc})",
            hint="rebuild it with this pvkg: `pvkg terminology build`",
        ) from exc
    finally:
        db.close()
