"""BRAT standoff (`.txt` + `.ann`) as gold documents, for users' own annotations.

A `BratSchema` maps entity types to mention kinds and names the relations that link a drug
to its adverse event or dose; the defaults follow n2c2 2018 track 2 (Drug, Strength, Dosage,
ADE, Route, Frequency, Duration; ADE-Drug, Strength-Drug, Dosage-Drug). Types outside the
schema (Form, Reason, ...) are skipped, and so are relations that touch them. Which argument
is the drug is read from the entities' kinds, not from Arg1/Arg2.

Each drug gives one triple per (adverse event, dose) it is related to; a drug with doses but
no adverse event gives (drug, dose) triples. The assertion comes from attributes (A or M
lines) on the adverse event, else on the drug: `Negation`, `Speculation`, ... by name, or
`Assertion <id> <value>` with a pvkg assertion value.

Note ids are the `.ann` path relative to the folder given, without the suffix ("a/b" for
a/b.ann). Offsets count characters of the `.txt` with its line endings as they are;
discontinuous entities ("0 5;9 14") keep their parts (see `pvkg.gold`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from loaders._labels import MENTION_LABELS
from pvkg.errors import InputError
from pvkg.gold import (
    GoldDocument,
    fragment_span,
    gold_extractor,
    make_document,
    pairings,
    parse_fragments,
)
from pvkg.problems import ErrorHandler, report
from pvkg.records import ASSERTIONS, Assertion, Mention, MentionKind, Note, Span, Triple
from pvkg.textfiles import non_blank_lines, read_text

SOURCE = "brat"
# Line kinds that carry nothing a triple needs: events, normalizations, notes, equivalences.
IGNORED_PREFIXES = ("E", "N", "#", "*")


@dataclass(frozen=True)
class BratSchema:
    """Which BRAT types and relations mean drug, dose and adverse event."""

    entities: Mapping[str, MentionKind] = field(default_factory=lambda: MENTION_LABELS)
    adverse_relations: frozenset[str] = frozenset({"ADE-Drug", "Adverse", "Causes"})
    dose_relations: frozenset[str] = frozenset({"Strength-Drug", "Dosage-Drug", "Dose-Drug"})
    assertion_attributes: Mapping[str, Assertion] = field(
        default_factory=lambda: {
            "Negation": "negated",
            "Negated": "negated",
            "Speculation": "speculated",
            "Speculated": "speculated",
            "Uncertain": "speculated",
            "Historical": "historical",
            "Family": "family",
        }
    )
    # A valued attribute whose value is itself a pvkg assertion.
    assertion_attribute: str = "Assertion"


@dataclass(frozen=True)
class _Relation:
    name: str
    first: str
    second: str
    line: int


@dataclass
class _Annotations:
    """What one `.ann` file says, by BRAT id."""

    entities: set[str] = field(default_factory=set)
    mentions: dict[str, Mention] = field(default_factory=dict)
    relations: list[_Relation] = field(default_factory=list)
    assertions: dict[str, set[Assertion]] = field(default_factory=lambda: defaultdict(set))


def iter_documents(
    path: str | Path,
    *,
    schema: BratSchema | None = None,
    on_error: ErrorHandler | None = None,
) -> Iterator[GoldDocument]:
    """Yield a gold document per `.ann` file under `path` (a folder, or one `.ann`/`.txt`)."""
    path = Path(path)
    schema = schema or BratSchema()
    if path.is_dir():
        pairs = [(ann, ann.relative_to(path).with_suffix("").as_posix()) for ann in _anns(path)]
    else:
        pairs = [(path.with_suffix(".ann"), path.stem)]
    for ann, note_id in pairs:
        try:
            yield _document(ann, note_id, schema, on_error)
        except InputError as error:
            report(error, on_error)


def _anns(folder: Path) -> Iterable[Path]:
    anns = sorted(folder.rglob("*.ann"))
    if not anns:
        raise InputError("no .ann files here", file=folder, hint="is this a BRAT folder?")
    return anns


def _document(
    ann: Path, note_id: str, schema: BratSchema, on_error: ErrorHandler | None
) -> GoldDocument:
    text = read_text(ann.with_suffix(".txt"))
    note = Note(id=note_id, text=text, metadata={"source": SOURCE, "file": ann.name})
    found = _Annotations()
    for line_no, line in non_blank_lines(ann, on_error):
        try:
            _read_line(line, line_no, text, schema, found)
        except ValueError as exc:
            report(InputError(str(exc), file=ann, line=line_no), on_error)
    for problem, line_no in _bad_relations(found, schema):
        report(InputError(problem, file=ann, line=line_no), on_error)
    triples = _triples(note, found, schema)
    return make_document(note, triples, found.mentions.values())


def _read_line(line: str, line_no: int, text: str, schema: BratSchema, found: _Annotations) -> None:
    ident, _, rest = line.partition("\t")
    if ident.startswith(IGNORED_PREFIXES):
        return
    if ident.startswith("T"):
        _read_entity(ident, rest, text, schema, found)
    elif ident.startswith("R"):
        _read_relation(rest, line_no, schema, found)
    elif ident.startswith(("A", "M")):
        _read_attribute(rest, schema, found)
    else:
        raise ValueError(f"unknown annotation id {ident!r}")


def _read_entity(ident: str, rest: str, text: str, schema: BratSchema, found: _Annotations) -> None:
    header, _, surface = rest.partition("\t")
    kind_name, _, spec = header.partition(" ")
    fragments = parse_fragments(spec)
    if any(end > len(text) for _, end in fragments):
        raise ValueError(f"{ident} {spec!r} runs past the end of the text ({len(text)})")
    pieces = " ".join(text[start:end] for start, end in fragments)
    if surface and pieces != surface:
        raise ValueError(f"{ident} is {pieces!r} in the text, not {surface!r}")
    found.entities.add(ident)
    kind = schema.entities.get(kind_name)
    if kind is not None:
        found.mentions[ident] = Mention(kind=kind, span=fragment_span(text, fragments))


def _read_relation(rest: str, line_no: int, schema: BratSchema, found: _Annotations) -> None:
    name, *args = rest.split("\t")[0].split()
    if name not in schema.adverse_relations | schema.dose_relations:
        return
    roles = dict(arg.partition(":")[::2] for arg in args)
    if set(roles) != {"Arg1", "Arg2"}:
        raise ValueError(f"relation {name} needs Arg1 and Arg2, got {args}")
    found.relations.append(_Relation(name, roles["Arg1"], roles["Arg2"], line_no))


def _read_attribute(rest: str, schema: BratSchema, found: _Annotations) -> None:
    name, target, *value = rest.split("\t")[0].split()
    if name == schema.assertion_attribute:
        if not value or value[0] not in ASSERTIONS:
            raise ValueError(f"{name} of {target} must be one of {', '.join(ASSERTIONS)}")
        found.assertions[target].add(ASSERTIONS[ASSERTIONS.index(value[0])])
    elif name in schema.assertion_attributes and value[:1] not in (["False"], ["No"]):
        found.assertions[target].add(schema.assertion_attributes[name])


def _bad_relations(found: _Annotations, schema: BratSchema) -> Iterator[tuple[str, int]]:
    """Relations naming unknown entities, or not linking a drug to what their name says."""
    for rel in found.relations:
        missing = [ident for ident in (rel.first, rel.second) if ident not in found.entities]
        if missing:
            yield f"relation {rel.name} names unknown entities {', '.join(missing)}", rel.line
        elif rel.first in found.mentions and rel.second in found.mentions:
            wanted = _wanted(rel.name, schema)
            if _drug_and_other(found, rel, wanted) is None:
                yield f"relation {rel.name} does not link a drug to a {wanted} mention", rel.line


def _wanted(relation: str, schema: BratSchema) -> MentionKind:
    return "adverse_event" if relation in schema.adverse_relations else "dose"


def _triples(note: Note, found: _Annotations, schema: BratSchema) -> list[Triple]:
    events: dict[str, list[str]] = defaultdict(list)
    doses: dict[str, list[str]] = defaultdict(list)
    for rel in found.relations:
        wanted = _wanted(rel.name, schema)
        pair = _drug_and_other(found, rel, wanted)
        if pair is None:
            continue
        (events if wanted == "adverse_event" else doses)[pair[0]].append(pair[1])
    return [
        _triple(note, found, drug, dose, event)
        for drug in dict.fromkeys([*events, *doses])
        for event, dose in pairings(events[drug], doses[drug])
    ]


def _drug_and_other(
    found: _Annotations, rel: _Relation, wanted: MentionKind
) -> tuple[str, str] | None:
    """(drug id, other id) when the relation links a drug to a `wanted` mention."""
    kinds = {i: m.kind for i, m in found.mentions.items() if i in (rel.first, rel.second)}
    for drug, other in ((rel.first, rel.second), (rel.second, rel.first)):
        if kinds.get(drug) == "drug" and kinds.get(other) == wanted:
            return drug, other
    return None


def _triple(
    note: Note, found: _Annotations, drug: str, dose: str | None, event: str | None
) -> Triple:
    return Triple(
        note_id=note.id,
        drug=found.mentions[drug].span,
        dose=_span(found, dose),
        adverse_event=_span(found, event),
        assertion=_assertion(found, event, drug),
        extractor=gold_extractor(SOURCE),
    )


def _span(found: _Annotations, ident: str | None) -> Span | None:
    return found.mentions[ident].span if ident is not None else None


def _assertion(found: _Annotations, *idents: str | None) -> Assertion:
    for ident in idents:
        marks = found.assertions.get(ident) if ident is not None else None
        if marks:
            return min(marks, key=ASSERTIONS.index)
    return "present"
