"""Link rows for Spark counting are what the graph loader would write, without Spark."""

from __future__ import annotations

import pytest

from kg.spark_counts import links_of
from pvkg.errors import ConfigError
from pvkg.records import CaseReport, ExtractorInfo, ReportedDrug, ReportedEvent, Span, Triple
from pvkg.spark import EngineOptions


def span(text: str, note: str) -> Span:
    start = note.index(text)
    return Span(text=text, start=start, end=start + len(text))


def test_a_structured_report_links_every_drug_and_event_affirmed() -> None:
    report = CaseReport(id="7", source="faers", drugs=[ReportedDrug(name="ASPIRIN", rxcui="1191")],
                        events=[ReportedEvent(name="Nausea", meddra_pt="10028813")])  # fmt: skip
    assert set(links_of([report], seq=3)) == {
        ("faers:7", "report", "faers:7", None, True, 3),
        ("faers:7", "drug", "rxcui:1191", "ASPIRIN", True, 3),
        ("faers:7", "event", "meddra:10028813", "Nausea", True, 3),
    }


def test_a_note_edge_is_affirmed_when_any_of_its_mentions_is() -> None:
    text = "No rash on aspirin; aspirin gave rash."
    info = ExtractorInfo(name="rules", version="1")
    negated, present = (
        Triple(note_id="n1", drug=span("aspirin", text), adverse_event=span("rash", text),
               assertion=assertion, extractor=info)
        for assertion in ("negated", "present")
    )  # fmt: skip
    events = [row for row in links_of([negated], seq=0) if row[1] == "event"]
    assert events == [("note:n1", "event", "name:rash", "rash", False, 0)]
    events = [row for row in links_of([negated, present], seq=0) if row[1] == "event"]
    assert events == [("note:n1", "event", "name:rash", "rash", True, 0)]


def test_engine_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="unknown engine"):
        EngineOptions(engine="dask")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="at least 1"):
        EngineOptions(engine="spark", spark_partitions=0)
