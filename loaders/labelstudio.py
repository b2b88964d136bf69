"""Label Studio JSON: read clinicians' annotations as gold, write pvkg triples for review.

Reading: a JSON export (a list of tasks, each with `data.text` and `annotations[].result[]`).
The first annotation that was not cancelled is the gold one. `labels` results are mentions
(label -> kind by `LabelStudioSchema.labels`); a `relation` result between a drug and an
adverse event (or a dose) is a drug-ADE (drug-dose) link, whatever its direction or label; a
per-region `choices` result whose choice is a pvkg assertion ("negated", ...) sets the
assertion of the triples of that adverse event. Each drug gives one triple per (adverse
event, dose) linked to it, as in `loaders.brat`.

Note ids are `data.note_id` where present (pvkg writes it), else the task `id`. Offsets must
fit `data.text`: a region whose text differs is reported and left out (Label Studio counts
UTF-16 units, so text with characters beyond the BMP cannot be placed).

Writing: `iter_tasks` turns notes and predicted triples into tasks with `predictions`
(pre-annotations) for the project described by `LABEL_CONFIG`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders._labels import MENTION_LABELS
from pvkg.errors import InputError
from pvkg.gold import GoldDocument, gold_extractor, make_document, pairings
from pvkg.problems import ErrorHandler, report
from pvkg.records import ASSERTIONS, Assertion, Mention, MentionKind, Note, Span, Triple
from pvkg.textfiles import read_text

SOURCE = "labelstudio"
EXPORT_LABELS: Mapping[MentionKind, str] = {"drug": "Drug", "dose": "Dose", "adverse_event": "ADE"}
# The labelling interface `iter_tasks` output fits; paste it into the project's settings.
LABEL_CONFIG = """<View>
  <Relations>
    <Relation value="ADE"/>
    <Relation value="Dose"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="Drug"/>
    <Label value="Dose"/>
    <Label value="ADE"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Choices name="assertion" toName="text" perRegion="true">
    <Choice value="present"/>
    <Choice value="negated"/>
    <Choice value="speculated"/>
    <Choice value="historical"/>
    <Choice value="family"/>
  </Choices>
</View>
"""


@dataclass(frozen=True)
class LabelStudioSchema:
    """Which region labels mean which mention kind, and where the note is in `data`."""

    labels: Mapping[str, MentionKind] = field(default_factory=lambda: MENTION_LABELS)
    text_key: str = "text"
    id_key: str = "note_id"


def iter_documents(
    path: str | Path,
    *,
    schema: LabelStudioSchema | None = None,
    source: str = "annotations",
    on_error: ErrorHandler | None = None,
) -> Iterator[GoldDocument]:
    """Yield a gold document per task; `source="predictions"` reads pre-annotations instead."""
    path = Path(path)
    schema = schema or LabelStudioSchema()
    try:
        tasks = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at line {exc.lineno})", file=path) from exc
    if not isinstance(tasks, list):
        raise InputError("expected a list of tasks (a Label Studio JSON export)", file=path)
    for index, task in enumerate(tasks, start=1):
        problems: list[str] = []
        try:
            document = _document(task, schema, source, problems)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"not a Label Studio task ({type(exc).__name__}: {exc})")
            document = None
        for problem in problems:
            report(InputError(f"task {index}: {problem}", file=path), on_error)
        if document is not None:
            yield document


def _document(
    task: Mapping[str, Any], schema: LabelStudioSchema, source: str, problems: list[str]
) -> GoldDocument:
    data = task["data"]
    text = data[schema.text_key]
    if not isinstance(text, str):
        raise TypeError(f"data.{schema.text_key} is not a string")
    note_id = str(data.get(schema.id_key) or task["id"])
    note = Note(id=note_id, text=text, metadata={"source": SOURCE, "task": task.get("id")})
    results = _chosen_results(task, source)
    mentions = _mentions(results, text, schema, problems)
    assertions = _assertions(results)
    triples = _triples(note, results, mentions, assertions)
    return make_document(note, triples, mentions.values())


def _chosen_results(task: Mapping[str, Any], source: str) -> list[Mapping[str, Any]]:
    for entry in task.get(source) or []:
        if not entry.get("was_cancelled", False):
            return list(entry["result"])
    return []


def _mentions(
    results: list[Mapping[str, Any]], text: str, schema: LabelStudioSchema, problems: list[str]
) -> dict[str, Mention]:
    mentions = {}
    for result in results:
        if result.get("type") != "labels":
            continue
        value = result["value"]
        start, end, surface = value["start"], value["end"], value["text"]
        kinds = [schema.labels[label] for label in value["labels"] if label in schema.labels]
        if not kinds:
            continue
        if text[start:end] != surface:
            problems.append(f"region {result['id']} {start}:{end} is not {surface!r} in the text")
            continue
        span = Span(text=surface, start=start, end=end)
        mentions[result["id"]] = Mention(kind=kinds[0], span=span)
    return mentions


def _assertions(results: list[Mapping[str, Any]]) -> dict[str, Assertion]:
    marks: dict[str, Assertion] = {}
    for result in results:
        if result.get("type") == "choices" and "id" in result:
            chosen = [c for c in result["value"].get("choices", []) if c in ASSERTIONS]
            if chosen:
                marks[result["id"]] = min(chosen, key=ASSERTIONS.index)
    return marks


def _triples(
    note: Note,
    results: list[Mapping[str, Any]],
    mentions: Mapping[str, Mention],
    assertions: Mapping[str, Assertion],
) -> list[Triple]:
    linked: dict[str, dict[MentionKind, list[str]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        if result.get("type") != "relation":
            continue
        ends = [result["from_id"], result["to_id"]]
        kinds = [mentions[e].kind if e in mentions else None for e in ends]
        for drug, other, kind in ((0, 1, kinds[1]), (1, 0, kinds[0])):
            if kinds[drug] == "drug" and kind in ("adverse_event", "dose"):
                linked[ends[drug]][kind].append(ends[other])
    return [
        Triple(
            note_id=note.id,
            drug=mentions[drug_id].span,
            dose=mentions[dose].span if dose else None,
            adverse_event=mentions[event].span if event else None,
            assertion=assertions.get(event, "present") if event else "present",
            extractor=gold_extractor(SOURCE),
        )
        for drug_id, links in linked.items()
        for event, dose in pairings(links["adverse_event"], links["dose"])
    ]


def iter_tasks(
    notes: Iterable[Note], triples: Iterable[Triple], *, model_version: str = "pvkg"
) -> Iterator[dict[str, Any]]:
    """One Label Studio task per note, with its predicted triples as pre-annotations."""
    by_note: dict[str, list[Triple]] = defaultdict(list)
    for triple in triples:
        by_note[triple.note_id].append(triple)
    for note in notes:
        found = by_note.get(note.id, [])
        prediction: dict[str, Any] = {"model_version": model_version, "result": _results(found)}
        if found:
            prediction["score"] = sum(t.confidence for t in found) / len(found)
        yield {"data": {"text": note.text, "note_id": note.id}, "predictions": [prediction]}


def _results(triples: list[Triple]) -> list[dict[str, Any]]:
    regions: dict[tuple[str, int, int], dict[str, Any]] = {}

    def region(kind: MentionKind, span: Span) -> str:
        key = (kind, span.start, span.end)
        if key not in regions:
            value = {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "labels": [EXPORT_LABELS[kind]],
            }
            regions[key] = _region(f"r{len(regions) + 1}", "labels", "label", value)
        return str(regions[key]["id"])

    relations: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    for triple in triples:
        drug = region("drug", triple.drug)
        links: list[tuple[MentionKind, Span | None, str]] = [
            ("adverse_event", triple.adverse_event, "ADE"),
            ("dose", triple.dose, "Dose"),
        ]
        for kind, span, label in links:
            if span is None:
                continue
            other = region(kind, span)
            relations.append(_relation(drug, other, label))
            if kind == "adverse_event" and triple.assertion != "present":
                value = {"start": span.start, "end": span.end, "choices": [triple.assertion]}
                choices.append(_region(other, "choices", "assertion", value))
    return [*regions.values(), *relations, *choices]


def _region(ident: str, kind: str, control: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ident,
        "type": kind,
        "from_name": control,
        "to_name": "text",
        "value": value,
    }


def _relation(source: str, target: str, label: str) -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": source,
        "to_id": target,
        "direction": "right",
        "labels": [label],
    }


def write_tasks(path: str | Path, tasks: Iterable[Mapping[str, Any]]) -> int:
    """Write tasks as one JSON list (what Label Studio imports), streaming; return the count."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        handle.write("[")
        for task in tasks:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(task, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count
