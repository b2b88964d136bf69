"""Plain-Python reference counts of drug-event pairs over unique reports.

Slow and obvious on purpose: tests compare the graph stores' Cypher counts with these. Each
report id counts once however often it, its drugs or its events repeat (two CaseReports with
one id merge). ``n_reports`` counts every distinct id, including reports with no drug or no
event. Memory holds the report ids of every drug, event and pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from kg.disproportionality import PairCounts
from pvkg.records import CaseReport, ReportedDrug, ReportedEvent

DrugKey = Callable[[ReportedDrug], str]
EventKey = Callable[[ReportedEvent], str]


def name_key(item: ReportedDrug | ReportedEvent) -> str:
    """The default key: the name as given, stripped of surrounding whitespace."""
    return item.name.strip()


def count_pairs(
    reports: Iterable[CaseReport],
    drug_key: DrugKey = name_key,
    event_key: EventKey = name_key,
) -> list[PairCounts]:
    """Counts for every drug-event pair reported together, sorted by (drug, event).

    Keys decide identity (e.g. ``lambda d: d.rxcui or d.name``); an empty key is skipped.
    """
    drugs_of: defaultdict[str, set[str]] = defaultdict(set)
    events_of: defaultdict[str, set[str]] = defaultdict(set)
    for report in reports:
        drugs_of[report.id].update(k for k in map(drug_key, report.drugs) if k)
        events_of[report.id].update(k for k in map(event_key, report.events) if k)
    by_drug: defaultdict[str, set[str]] = defaultdict(set)
    by_event: defaultdict[str, set[str]] = defaultdict(set)
    by_pair: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for report_id, drugs in drugs_of.items():
        events = events_of[report_id]
        for drug in drugs:
            by_drug[drug].add(report_id)
            for event in events:
                by_pair[drug, event].add(report_id)
        for event in events:
            by_event[event].add(report_id)
    n_reports = len(drugs_of)
    return [
        PairCounts(
            drug=drug,
            event=event,
            a=len(ids),
            n_drug=len(by_drug[drug]),
            n_event=len(by_event[event]),
            n_reports=n_reports,
        )
        for (drug, event), ids in sorted(by_pair.items())
    ]
