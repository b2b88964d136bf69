"""Phenotypes as validated data: criteria (what to find in a patient's notes, with which
assertion, how often, within which values) and boolean logic over them.

A file is JSON or YAML::

    id: dili
    name: Drug-induced liver injury
    criteria:
      - id: hepatic_event
        description: a hepatic adverse event
        terms: [hepatitis, hepatotoxicity, liver injury]
        concepts: [C0019158]        # UMLS CUIs, their synonyms from a terminology index
      - id: recurrent_hypoglycemia
        description: hypoglycemia, at least twice
        terms: [hypoglycemia]
        min_count: 2                # "recurrent": episodes in different sentences
      - id: ckd3
        description: eGFR 30-59
        terms: [egfr]
        value: {min: 30, max: 59, unit: mL/min/1.73m2}
    logic: {all: [hepatic_event, {any: [ckd3, {not: recurrent_hypoglycemia}]}]}
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from pvkg.errors import InputError
from pvkg.records import Assertion, Record

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class ValueRule(Record):
    """A number that must follow the matched term in its sentence, e.g. eGFR 45 mL/min."""

    min: float | None = None
    max: float | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> ValueRule:
        if self.min is None and self.max is None:
            raise ValueError("a value rule needs min, max or both")
        return self


class Window(Record):
    """Dates a note must fall in (inclusive) for its finds to count; open on a side left
    out. A note without a date does not count for a criterion with a window."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date | None) -> bool:
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


class Criterion(Record):
    id: Identifier
    description: Annotated[str, Field(min_length=1)]
    terms: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    concepts: tuple[Annotated[str, Field(pattern=r"^C\d{7}$")], ...] = ()
    assertions: tuple[Assertion, ...] = ("present",)
    min_count: Annotated[int, Field(ge=1)] = 1
    value: ValueRule | None = None
    window: Window | None = None

    @model_validator(mode="after")
    def _something_to_find(self) -> Criterion:
        if not self.terms and not self.concepts:
            raise ValueError(f"criterion {self.id!r} needs terms or concepts")
        return self


class AllOf(Record):
    all: tuple[Logic, ...] = Field(min_length=1)


class AnyOf(Record):
    any: tuple[Logic, ...] = Field(min_length=1)


class NoneOf(Record):
    not_: Logic = Field(alias="not")


class AtLeast(Record):
    at_least: Annotated[int, Field(ge=1)]
    of: tuple[Logic, ...] = Field(min_length=1)


Logic = Identifier | AllOf | AnyOf | NoneOf | AtLeast
for _model in (AllOf, AnyOf, NoneOf, AtLeast):
    _model.model_rebuild()


class Phenotype(Record):
    id: Identifier
    name: Annotated[str, Field(min_length=1)]
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    logic: Logic

    @model_validator(mode="after")
    def _known_criteria(self) -> Phenotype:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique")
        unknown = sorted(set(names_in(self.logic)) - set(ids))
        if unknown:
            raise ValueError(f"the logic names unknown criteria: {', '.join(unknown)}")
        return self


def names_in(logic: Logic) -> list[str]:
    """Every criterion id the logic refers to."""
    if isinstance(logic, str):
        return [logic]
    if isinstance(logic, NoneOf):
        return names_in(logic.not_)
    return [name for part in parts_of(logic) for name in names_in(part)]


def parts_of(logic: AllOf | AnyOf | AtLeast) -> tuple[Logic, ...]:
    if isinstance(logic, AllOf):
        return logic.all
    return logic.any if isinstance(logic, AnyOf) else logic.of


def load_phenotype(path: str | Path) -> Phenotype:
    """The phenotype in a JSON or YAML file; a bad file is an `InputError` naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc
    try:
        return Phenotype.model_validate(_parse(text, path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: {first['msg']}", file=path,
                         hint=f"{len(exc.errors())} problem(s); see the format in "
                         "extract/phenotype/criteria.py") from exc  # fmt: skip


def _parse(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", file=path, line=exc.lineno) from exc
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"not YAML: {exc}", file=path, line=line) from exc
