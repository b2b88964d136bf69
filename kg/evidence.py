"""The evidence behind drug–event pairs: the extracted triples (note, sentence, character
offsets, assertion, extractor) and the co-reporting unique reports per source, read with the
portable Cypher in `kg/cypher/evidence_triples.cypher` and `pair_report_sources.cypher`.

Signals name their drug and event (`kg.disproportionality.Signal`), so a pair is given by
names; each name stands for the keys of every node bearing it (almost always one), and the
queries themselves take keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.counts import cypher
from kg.rows import COUNTED_ASSERTIONS, NOTE_SOURCE
from kg.store import GraphStore
from pvkg.errors import StoreError

Pair = tuple[str, str]
COURSE_FIELDS = ("time_to_onset", "dechallenge", "rechallenge", "outcome", "naranjo", "who_umc")


@dataclass(frozen=True)
class Mention:
    """Text at character offsets `start:end` of its note."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class TripleEvidence:
    """One extracted triple linking the pair's drug to its event."""

    report_id: str
    assertion: str
    extractor: str
    confidence: float | None
    drug: Mention
    event: Mention
    dose: Mention | None
    sentence: Mention | None
    # The event's course and causality as stored (kg/causality.py); None where not stated.
    course: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        """Whether signals count this finding by default (present or historical)."""
        return self.assertion in COUNTED_ASSERTIONS


@dataclass(frozen=True)
class PairEvidence:
    """The triples behind one pair (counted findings first) and its reports per source."""

    triples: tuple[TripleEvidence, ...]
    reports_by_source: Mapping[str, int]

    @property
    def structured_reports(self) -> int:
        return sum(n for source, n in self.reports_by_source.items() if source != NOTE_SOURCE)

    @property
    def note_reports(self) -> int:
        return self.reports_by_source.get(NOTE_SOURCE, 0)


def pair_evidence(
    store: GraphStore, pairs: Iterable[Pair], *, all_assertions: bool = False
) -> dict[Pair, PairEvidence]:
    """Evidence for each (drug name, event name) pair; reports per source are counted as
    `pair_counts` counts them (affirmed links only unless `all_assertions`)."""
    wanted = set(pairs)
    drugs = _names_by_key(store, "Drug", {drug for drug, _ in wanted})
    events = _names_by_key(store, "AdverseEvent", {event for _, event in wanted})
    triples: dict[Pair, list[TripleEvidence]] = defaultdict(list)
    sources: dict[Pair, dict[str, int]] = defaultdict(dict)
    if drugs and events:
        params: dict[str, Any] = {"drug_keys": sorted(drugs), "event_keys": sorted(events)}
        for row in store.run(cypher("evidence_triples"), params):
            triples[(drugs[row["drug_key"]], events[row["event_key"]])].append(_triple(row))
        params["all_assertions"] = all_assertions
        for row in store.run(cypher("pair_report_sources"), params):
            counts = sources[(drugs[row["drug_key"]], events[row["event_key"]])]
            counts[row["source"]] = counts.get(row["source"], 0) + int(row["n"])
    return {
        pair: PairEvidence(tuple(sorted(triples[pair], key=_reading_order)), sources[pair])
        for pair in wanted
    }


def _names_by_key(store: GraphStore, label: str, names: set[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = store.run(
        f"MATCH (n:{label}) WHERE n.name IN $names RETURN n.key AS key, n.name AS name",
        {"names": sorted(names)},
    )
    return {row["key"]: row["name"] for row in rows}


def _mention(row: Mapping[str, Any], prefix: str) -> Mention | None:
    text, start = row[f"{prefix}_text"], row[f"{prefix}_start"]
    if text is None or start is None:
        return None
    return Mention(text, int(start), int(start) + len(text))


def _triple(row: Mapping[str, Any]) -> TripleEvidence:
    extractor = f"{row['extractor']} {row['extractor_version']}"
    if row["prompt_version"]:
        extractor += f", prompt {row['prompt_version']}"
    drug, event = _mention(row, "drug"), _mention(row, "event")
    if drug is None or event is None:  # loads write OF_DRUG / OF_EVENT only with their spans
        raise StoreError(f"triple {row['triple_key']} has no stored drug or event span")
    confidence = row["confidence"]
    return TripleEvidence(
        report_id=str(row["report_id"]),
        assertion=str(row["assertion"]),
        extractor=extractor,
        confidence=None if confidence is None else float(confidence),
        drug=drug,
        event=event,
        dose=_mention(row, "dose"),
        sentence=_mention(row, "evidence"),
        course={name: row[name] for name in COURSE_FIELDS if row.get(name) is not None},
    )


def _reading_order(triple: TripleEvidence) -> tuple[bool, str, int]:
    start = triple.sentence.start if triple.sentence else triple.drug.start
    return (not triple.counted, triple.report_id, start)
