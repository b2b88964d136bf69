"""Record types shared by every stage: notes, spans, triples and concepts.

Field names are a contract with users' files: keep them. Every record rejects unknown
fields, and spans are checked against the note text whenever the note is at hand.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationInfo,
    model_validator,
)

Assertion = Literal["present", "negated", "speculated", "historical", "family"]
ASSERTIONS: tuple[Assertion, ...] = ("present", "negated", "speculated", "historical", "family")

AttributeValue = str | int | float | bool | None
NonEmptyStr = Annotated[str, Field(min_length=1)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
# The span attribute naming the long form a span abbreviates ("VPA" -> "valproic acid"),
# which normalization links in the span's place.
EXPANSION = "expansion"
# The span attribute of an adverse event giving its time to onset after the drug, as an
# ISO-8601 duration ("P4W"), where the sentence states one.
ONSET = "time_to_onset"
# Its course where the note states it: "mild" ... "fatal"; dechallenge and rechallenge
# "positive" or "negative" (`extract.course`).
SEVERITY = "severity"
DECHALLENGE = "dechallenge"
RECHALLENGE = "rechallenge"
# "excluded" where the note says other causes were ruled out.
ALTERNATIVES = "alternative_causes"
# The case's outcome where the note states it: "fatal", "not recovered", "recovered with
# sequelae", "recovered", "recovering".
OUTCOME = "outcome"


class Record(BaseModel):
    """Base of all pvkg records: immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """The record from values known to be valid, every field given: no validation and
        no defaults, for extractors' hot paths (about 3x faster than `model_construct`; the
        rule extractor's test validates what it builds)."""
        fields = cls.__pydantic_fields__
        if values.keys() != fields.keys():
            missing, unknown = sorted(fields.keys() - values), sorted(values.keys() - fields)
            raise TypeError(
                f"{cls.__name__}.trusted needs every field and no other; "
                f"missing {missing}, unknown {unknown}"
            )
        record = cls.__new__(cls)
        object.__setattr__(record, "__dict__", values)
        object.__setattr__(record, "__pydantic_fields_set__", set(values))
        object.__setattr__(record, "__pydantic_extra__", None)
        object.__setattr__(record, "__pydantic_private__", None)
        return record


class Note(Record):
    """A clinical note or case narrative, the unit of extraction."""

    id: NonEmptyStr
    text: str
    metadata: dict[str, JsonValue] = Field(default_factory=dict)


class Span(Record):
    """Characters `start:end` of a note; `text` must equal `note.text[start:end]`.

    `attributes` hold facts about the mention: its fragments (`pvkg.gold`), a dose's parsed
    parts, the long form it abbreviates (`EXPANSION`), an event's time to onset (`ONSET`)."""

    text: NonEmptyStr
    start: Annotated[int, Field(ge=0)]
    end: int
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _offsets_fit_text(self) -> Self:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"span {self.start}:{self.end} has length {self.end - self.start} "
                f"but its text has length {len(self.text)}"
            )
        return self

    @property
    def expansion(self) -> str | None:
        """The long form this span abbreviates, when its extractor recorded one."""
        value = self.attributes.get(EXPANSION)
        return value if isinstance(value, str) and value else None

    def check_against(self, note_text: str) -> None:
        """Raise ValueError unless this span points at its own text in `note_text`."""
        if self.end > len(note_text):
            raise ValueError(
                f"span {self.start}:{self.end} runs past the note end ({len(note_text)})"
            )
        found = note_text[self.start : self.end]
        if found != self.text:
            raise ValueError(
                f"span {self.start}:{self.end} is {found!r} in the note, not {self.text!r}"
            )


MentionKind = Literal["drug", "dose", "adverse_event", "route", "frequency", "duration"]


class ContextAxes(Record):
    """The ConText axes a mention is on (Harkema et al. 2009); its one `Assertion` label
    is derived from them by precedence (`extract.rules.context`)."""

    negated: bool = False
    speculated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False


class MentionToAssert(Record):
    """A mention found by any tool, for `pvkg assertion`: `kind` is free ("problem",
    "adverse_event", ...)."""

    note_id: NonEmptyStr
    kind: NonEmptyStr
    span: Span


class AssertedMention(MentionToAssert):
    assertion: Assertion
    context: ContextAxes


class Mention(Record):
    """An entity mention of one kind, found by an extractor or annotated as gold, whether
    or not a triple uses it."""

    kind: MentionKind
    span: Span


class ExtractorInfo(Record):
    """Provenance: which extractor (and prompt, for LLMs) produced a triple."""

    name: NonEmptyStr
    version: NonEmptyStr
    prompt_version: str | None = None


class Triple(Record):
    """A (drug, dose, adverse event) statement found in one note.

    Validate with `context={"note": note}` or `context={"notes": {id: note}}` (or call
    `check_against`) to have every span checked against the note text.
    """

    note_id: NonEmptyStr
    drug: Span
    dose: Span | None = None
    adverse_event: Span | None = None
    assertion: Assertion = "present"
    evidence: Span | None = None
    extractor: ExtractorInfo
    confidence: Probability = 1.0

    def spans(self) -> dict[str, Span]:
        """The spans that are set, by field name."""
        named = {
            "drug": self.drug,
            "dose": self.dose,
            "adverse_event": self.adverse_event,
            "evidence": self.evidence,
        }
        return {name: span for name, span in named.items() if span is not None}

    def check_against(self, note: Note) -> None:
        """Raise ValueError unless the triple belongs to `note` and its spans fit its text."""
        if note.id != self.note_id:
            raise ValueError(f"triple is for note {self.note_id!r}, not {note.id!r}")
        for name, span in self.spans().items():
            try:
                span.check_against(note.text)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None

    @model_validator(mode="after")
    def _check_note_in_context(self, info: ValidationInfo) -> Self:
        context = info.context if isinstance(info.context, dict) else {}
        note = context.get("note")
        if note is None and isinstance(context.get("notes"), dict):
            note = context["notes"].get(self.note_id)
            if note is None:
                raise ValueError(f"note {self.note_id!r} is not among the given notes")
        if isinstance(note, Note):
            self.check_against(note)
        return self


class SemanticType(Record):
    """A UMLS semantic type: TUI (e.g. T047) and its name."""

    tui: Annotated[str, Field(pattern=r"^T\d{3}$")]
    name: str


class Concept(Record):
    """A terminology concept a mention was linked to, with its codes per vocabulary."""

    cui: Annotated[str, Field(pattern=r"^C\d{7}$")]
    name: NonEmptyStr
    semantic_types: tuple[SemanticType, ...] = ()
    codes: dict[str, list[str]] = Field(default_factory=dict)
    score: Probability = 1.0


class ParsedDose(Record):
    """A dose mention parsed into amount, unit, route, frequency, duration (any may be unknown).

    `unit` is a UCUM code (mg, ug, mg/m2, mg/kg/d, [iU], [drp], {tbl}), `route` a canonical name
    (oral, intravenous), `frequency` a sig code (bid, q8h, qw, prn) and `frequency_per_day` its
    rate. A range ("1-2 tablets") sets `value_low` and `value_high` and leaves `value` unset;
    `count` multiplies the amount ("4 x 1.5 g/m2"). `text` keeps the mention verbatim.
    """

    value: float | None = None
    unit: str | None = None
    route: str | None = None
    frequency: str | None = None
    text: str | None = None
    value_low: float | None = None
    value_high: float | None = None
    count: Annotated[float, Field(gt=0)] | None = None
    frequency_per_day: Annotated[float, Field(gt=0)] | None = None
    duration: str | None = None
    duration_days: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _range_is_whole(self) -> Self:
        low, high = self.value_low, self.value_high
        if low is None or high is None:
            if low is not high:
                raise ValueError("a dose range needs both value_low and value_high")
            return self
        if self.value is not None:
            raise ValueError("a dose range leaves value unset")
        if low >= high:
            raise ValueError(f"dose range {low}-{high} does not rise")
        return self


class Concepts(Record):
    """The concepts a triple's drug and adverse-event mentions were linked to."""

    drug: Concept | None = None
    adverse_event: Concept | None = None


class NormalizedTriple(Triple):
    """A triple with its mentions linked to concepts and its dose parsed."""

    concepts: Concepts = Field(default_factory=Concepts)
    parsed_dose: ParsedDose | None = None

    @classmethod
    def from_triple(cls, triple: Triple, **extra: Any) -> NormalizedTriple:
        """Extend a plain triple with normalization results."""
        return cls.model_validate({**triple.model_dump(), **extra})


class ReportedDrug(Record):
    """A drug as a structured case report names it, with its RxNorm ingredient if known."""

    name: NonEmptyStr
    rxcui: str | None = None
    role: str | None = None


class ReportedEvent(Record):
    """An adverse event as a structured case report names it (e.g. a MedDRA PT)."""

    name: NonEmptyStr
    meddra_pt: str | None = None
    cui: str | None = None


class CaseReport(Record):
    """A structured safety report (FAERS case, CAERS row group): drugs and events, no text.

    `strata` holds the variables expected counts may be stratified by (sex, age group, ...).
    """

    id: NonEmptyStr
    source: NonEmptyStr
    sex: str | None = None
    age: float | None = None
    strata: dict[str, str] = Field(default_factory=dict)
    drugs: tuple[ReportedDrug, ...] = ()
    events: tuple[ReportedEvent, ...] = ()
