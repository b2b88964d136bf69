"""Two runs of a phenotype compared (another model, prompt, index or month of notes): per
criterion and for the phenotype, the share of patients positive in each run and how often
the runs agree on the patients both judged, with Cohen's kappa for agreement beyond chance."""

from __future__ import annotations

from collections.abc import Iterable

from extract.phenotype.decide import PatientResult
from extract.phenotype.scoring import PHENOTYPE
from pvkg.records import Record


class Drift(Record):
    name: str
    patients_a: int
    patients_b: int
    common: int
    rate_a: float | None
    rate_b: float | None
    agreement: float | None
    kappa: float | None


def compare_runs(a: Iterable[PatientResult], b: Iterable[PatientResult]) -> list[Drift]:
    first, second = _decisions(a), _decisions(b)
    names = sorted(set(first) | set(second), key=lambda n: (n != PHENOTYPE, n))
    return [_drift(name, first.get(name, {}), second.get(name, {})) for name in names]


def _decisions(results: Iterable[PatientResult]) -> dict[str, dict[str, bool]]:
    table: dict[str, dict[str, bool]] = {}
    for r in results:
        table.setdefault(PHENOTYPE, {})[r.patient] = r.met
        for name, status in r.criteria.items():
            table.setdefault(name, {})[r.patient] = status.met
    return table


def _drift(name: str, a: dict[str, bool], b: dict[str, bool]) -> Drift:
    common = sorted(set(a) & set(b))
    agree = sum(a[p] == b[p] for p in common)
    return Drift(
        name=name,
        patients_a=len(a),
        patients_b=len(b),
        common=len(common),
        rate_a=_rate(a.values()),
        rate_b=_rate(b.values()),
        agreement=agree / len(common) if common else None,
        kappa=_kappa([a[p] for p in common], [b[p] for p in common]),
    )


def _rate(values: Iterable[bool]) -> float | None:
    listed = list(values)
    return sum(listed) / len(listed) if listed else None


def _kappa(x: list[bool], y: list[bool]) -> float | None:
    n = len(x)
    if not n:
        return None
    observed = sum(i == j for i, j in zip(x, y, strict=True)) / n
    px, py = sum(x) / n, sum(y) / n
    chance = px * py + (1 - px) * (1 - py)
    return None if chance == 1 else (observed - chance) / (1 - chance)
