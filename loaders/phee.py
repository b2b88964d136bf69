"""PHEE (Sun et al. 2022) as gold documents, one per sentence, note id = the PHEE `id`.

Every argument's offsets are checked against `context`; a mention that does not fit is
reported (file, line) and left out, the rest of the sentence is kept.

Mentions: Treatment.Drug -> drug, Treatment.Dosage -> dose, Treatment.Route / Freq / Duration
-> route / frequency / duration (mentions only: a `Triple` has no place for them), and the
Effect of an Adverse_event -> adverse_event. The Effect of a Potential_therapeutic_event is a
benefit, not an adverse event, and is left out.

Triples come from Adverse_event events only: each drug x each effect, with the drug's dose.
A Treatment with several drugs names its doses once, so each dose goes to the nearest drug of
its Treatment. An event without an effect gives (drug, dose) triples where a dose is known.
Negated -> assertion "negated", else Speculated -> "speculated", else "present".
A multi-part mention becomes one span covering its parts, the parts in
`attributes["fragments"]` (see `pvkg.gold`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pvkg.errors import InputError
from pvkg.gold import (
    GoldDocument,
    fragment_span,
    gold_extractor,
    make_document,
    pairings,
    sentence_span,
)
from pvkg.problems import ErrorHandler, report
from pvkg.records import Assertion, Mention, MentionKind, Note, Span, Triple
from pvkg.textfiles import non_blank_lines

SOURCE = "phee"
ADVERSE = "Adverse_event"
TREATMENT_KINDS: Mapping[str, MentionKind] = {
    "Drug": "drug",
    "Dosage": "dose",
    "Route": "route",
    "Freq": "frequency",
    "Duration": "duration",
}


def iter_documents(
    path: str | Path, *, on_error: ErrorHandler | None = None
) -> Iterator[GoldDocument]:
    """Yield one gold document per line of `phee.jsonl`, streaming."""
    path = Path(path)
    for line_no, line in non_blank_lines(path, on_error):
        problems: list[str] = []
        try:
            document = _document(json.loads(line), problems)
        except json.JSONDecodeError as exc:
            report(InputError(f"invalid JSON ({exc.msg})", file=path, line=line_no), on_error)
            continue
        except (KeyError, TypeError, ValueError) as exc:
            reason = f"not a PHEE record ({type(exc).__name__}: {exc})"
            report(InputError(reason, file=path, line=line_no), on_error)
            continue
        for problem in problems:
            report(InputError(problem, file=path, line=line_no), on_error)
        yield document


def _document(record: Mapping[str, Any], problems: list[str]) -> GoldDocument:
    text = record["context"]
    if not isinstance(text, str):
        raise TypeError("context is not a string")
    pmid = str(record["id"]).partition("_")[0]
    note = Note(id=str(record["id"]), text=text, metadata={"source": SOURCE, "pmid": pmid})
    triples: list[Triple] = []
    mentions: list[Mention] = []
    for annotation in record["annotations"]:
        for event in annotation["events"]:
            found = _event_mentions(event, text, problems)
            mentions.extend(Mention(kind=kind, span=s) for kind, spans in found for s in spans)
            if event["event_type"] == ADVERSE:
                triples.extend(_event_triples(note, dict(found), _assertion(event)))
    return make_document(note, triples, mentions)


def _event_mentions(
    event: Mapping[str, Any], text: str, problems: list[str]
) -> list[tuple[MentionKind, list[Span]]]:
    treatment = event.get("Treatment") or {}
    found = [
        (kind, _spans(treatment[name], text, f"Treatment.{name}", problems))
        for name, kind in TREATMENT_KINDS.items()
        if name in treatment
    ]
    if event["event_type"] == ADVERSE and "Effect" in event:
        found.append(("adverse_event", _spans(event["Effect"], text, "Effect", problems)))
    return found


def _spans(argument: Mapping[str, Any], text: str, name: str, problems: list[str]) -> list[Span]:
    """One span per mention of an argument; its parts are `text[i]` at `start[i]`."""
    spans = []
    for parts, starts in zip(argument["text"], argument["start"], strict=True):
        fragments = [(s, s + len(t)) for t, s in zip(parts, starts, strict=True)]
        misplaced = [t for t, (s, e) in zip(parts, fragments, strict=True) if text[s:e] != t]
        if misplaced or not fragments:
            problems.append(f"{name} {parts!r} at {starts} does not match the context")
            continue
        spans.append(fragment_span(text, fragments))
    return spans


def _assertion(event: Mapping[str, Any]) -> Assertion:
    if _flag(event.get("Negated")):
        return "negated"
    if _flag(event.get("Speculated")):
        return "speculated"
    return "present"


def _flag(argument: Mapping[str, Any] | None) -> bool:
    return argument is not None and argument.get("value", True) is not False


def _event_triples(
    note: Note, found: Mapping[MentionKind, list[Span]], assertion: Assertion
) -> Iterator[Triple]:
    drugs, effects = found.get("drug", []), found.get("adverse_event", [])
    doses = _doses_by_drug(drugs, found.get("dose", []))
    for index, drug in enumerate(drugs):
        for effect, dose in pairings(effects, doses[index]):
            yield Triple(
                note_id=note.id,
                drug=drug,
                dose=dose,
                adverse_event=effect,
                assertion=assertion,
                evidence=sentence_span(note.text),
                extractor=gold_extractor(SOURCE),
            )


def _doses_by_drug(drugs: list[Span], doses: list[Span]) -> list[list[Span]]:
    """Give each dose to the drug nearest to it (fewest characters between them)."""
    by_drug: list[list[Span]] = [[] for _ in drugs]
    for dose in doses:
        if drugs:
            nearest = min(range(len(drugs)), key=lambda i: _gap(drugs[i], dose))
            by_drug[nearest].append(dose)
    return by_drug


def _gap(a: Span, b: Span) -> int:
    return max(a.start, b.start) - min(a.end, b.end)
