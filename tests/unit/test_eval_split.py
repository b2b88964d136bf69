from __future__ import annotations

import pytest

from extract.scoring import split_documents
from pvkg.errors import ConfigError
from pvkg.gold import GoldDocument, make_document
from pvkg.records import Note


def documents() -> list[GoldDocument]:
    """Two sentences for each of 500 PubMed ids, plus 100 notes without one."""
    docs = [
        make_document(Note(id=f"{pmid}:{n}", text="text", metadata={"pmid": str(pmid)}), [])
        for pmid in range(1000, 1500)
        for n in (1, 2)
    ]
    docs += [make_document(Note(id=f"free-{i}", text="text"), []) for i in range(100)]
    return docs


def test_split_is_grouped_deterministic_and_order_free() -> None:
    docs = documents()
    split = split_documents(docs, test_fraction=0.3, seed=7)
    assert len(split.train) + len(split.test) == len(docs)
    assert 0.25 < len(split.test) / len(docs) < 0.35
    test_ids = {d.note.id for d in split.test}
    for pmid in range(1000, 1500):
        assert (f"{pmid}:1" in test_ids) == (f"{pmid}:2" in test_ids)
    again = split_documents(list(reversed(docs)), test_fraction=0.3, seed=7)
    assert {d.note.id for d in again.test} == test_ids
    other = split_documents(docs, test_fraction=0.3, seed=8)
    assert {d.note.id for d in other.test} != test_ids
    assert [d.note.id for d in split.train] == [
        d.note.id for d in docs if d.note.id not in test_ids
    ]


def test_edge_fractions() -> None:
    docs = documents()
    assert split_documents(docs, test_fraction=0.0).test == ()
    assert split_documents(docs, test_fraction=1.0).train == ()
    with pytest.raises(ConfigError, match="not between 0 and 1"):
        split_documents(docs, test_fraction=1.5)
