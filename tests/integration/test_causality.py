"""Causality in the graph: each extracted triple's course and Naranjo / WHO-UMC from the
note's words, stored on its Triple node, exported, and counted by `min_causality`."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.rules import RuleExtractor
from kg.counts import pair_counts
from kg.export import export
from kg.load import load
from kg.options import SignalOptions
from kg.store import GraphStore
from pvkg.errors import ConfigError
from pvkg.records import Note

pytestmark = pytest.mark.integration
NOTES = [
    Note(id="c1", text="She developed a severe rash 3 days after starting aspirin. Aspirin "
                       "was stopped and the rash resolved. On rechallenge with aspirin the "
                       "rash recurred."),
    Note(id="c2", text="A rash was seen with aspirin."),
    Note(id="c3", text="Hepatitis developed 2 weeks after ibuprofen was started."),
]  # fmt: skip


def test_causality_is_stored_exported_and_counted(store: GraphStore, tmp_path: Path) -> None:
    rules = RuleExtractor([("aspirin", "drug"), ("ibuprofen", "drug"), ("rash", "adverse_event"),
                           ("hepatitis", "adverse_event")])  # fmt: skip
    triples = [t for note in NOTES for t in rules.extract(note).triples]
    first = load(store, triples)
    again = load(store, triples)  # a re-load changes nothing
    assert (first.rescored, again.rescored, again.nodes, again.rels) == (5, 0, 0, 0)
    rows = store.run(
        "MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple) RETURN r.id AS note, t.naranjo AS naranjo, "
        "t.who_umc AS who_umc, t.time_to_onset AS onset, t.dechallenge AS dechallenge, "
        "t.severity AS severity, t.other_reports AS other ORDER BY note, naranjo"
    )
    # c1 names the rash three times: the first ("severe rash"), with its time, dechallenge
    # and rechallenge, is certain; the second has both statements but no time, the third the
    # rechallenge only (statements reach back to earlier sentences, not forward). Aspirin and
    # rash are tied in two reports, c1 and c2: each such triple gains Naranjo's +1 for an
    # earlier report.
    assert [(r["note"], r["naranjo"], r["who_umc"], r["other"]) for r in rows] == [
        ("c1", 3, "possible", 1), ("c1", 4, "possible", 1), ("c1", 5, "certain", 0),
        ("c2", 1, "unassessable", 1), ("c3", 2, "possible", 0)]  # fmt: skip
    assert (rows[2]["onset"], rows[2]["dechallenge"], rows[2]["severity"]) == (
        "P3D", "positive", "severe")  # fmt: skip

    export(store, "csv", tmp_path / "triples.csv")
    header = (tmp_path / "triples.csv").read_text().splitlines()[0].split(",")
    assert {"naranjo", "who_umc", "time_to_onset", "dechallenge"} <= set(header)

    def causal_pairs(minimum: int | None) -> set[tuple[str, str]]:
        options = SignalOptions(mode="causal", min_causality=minimum).counting()
        return {(p.drug, p.event) for p in pair_counts(store, options)}

    everything = causal_pairs(None)
    assert ("aspirin", "rash") in everything and ("ibuprofen", "Hepatitis") in everything
    assert causal_pairs(2) == everything
    certain = causal_pairs(5)  # only c1's first, certain, mention
    assert len(certain) == 1 and next(iter(certain))[0] == "aspirin"
    assert ("aspirin", "rash") not in certain  # c1's later and c2's mentions score lower


def test_min_causality_needs_the_causal_mode() -> None:
    with pytest.raises(ConfigError, match="counts extracted triples only"):
        SignalOptions(min_causality=3)
