"""Phase 2: a phenotype's logic over its criteria's statuses, decided deterministically."""

from __future__ import annotations

from collections.abc import Mapping

from extract.phenotype.criteria import AllOf, AnyOf, Logic, NoneOf, parts_of


def holds(logic: Logic, met: Mapping[str, bool]) -> bool:
    """Whether `logic` holds when each criterion id maps to whether it is met."""
    if isinstance(logic, str):
        return met[logic]
    if isinstance(logic, NoneOf):
        return not holds(logic.not_, met)
    results = [holds(part, met) for part in parts_of(logic)]
    if isinstance(logic, AllOf):
        return all(results)
    if isinstance(logic, AnyOf):
        return any(results)
    return sum(results) >= logic.at_least
