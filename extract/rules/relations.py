"""Relation rules: which drug an adverse event is attributed to, and which drug a dose is of.

Rules are data (`relation_rules.json`). An event rule names the order of the two mentions,
cue phrases of which one must stand in the words between them (the gap), optionally lead
phrases just before the first mention ("developed Y on X"), the longest gap it accepts and
the confidence it gives. Each event goes to the drug of its most confident rule, the nearest
on a tie; failing every rule, to the nearest drug of the sentence with the fallback's lower
confidence. Drugs coordinated with the chosen one ("X and Y induced Z") share the event. No
relation crosses a blocker word ("but", ";") or an indication cue within its reach ("X for
Y", "Y controlled with X": the drug treats the condition).

A dose goes to the nearest drug before it, or after it at a penalty ("200 mg TCA").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from extract.rules.rules_data import load_rules
from extract.rules.tokens import fold
from pvkg.records import Probability, Record

RULES_FILE = "relation_rules.json"
Range = tuple[int, int]
Gap = Annotated[int, Field(ge=0)]


class EventRule(Record):
    name: str
    order: Literal["drug_event", "event_drug"]
    cues: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    lead_tokens: Gap = 4
    max_gap_tokens: Gap
    confidence: Probability


class FallbackRule(Record):
    confidence: Probability
    max_gap_tokens: Gap


class DoseRule(Record):
    max_gap_tokens: Gap
    drug_after_dose_penalty: Gap
    confidence: Probability


class RelationRules(Record):
    version: int
    blockers: tuple[str, ...] = ()
    coordination: tuple[str, ...] = ()
    indication_cues: dict[str, Gap] = Field(default_factory=dict)
    rules: tuple[EventRule, ...]
    fallback: FallbackRule
    dose: DoseRule


def load_relation_rules(path: str | Path | None = None) -> RelationRules:
    return load_rules(RelationRules, RULES_FILE, path)


@dataclass(frozen=True)
class Link:
    """An event attributed to drug number `drug` of its sentence by rule `rule`."""

    drug: int
    confidence: float
    rule: str


@dataclass(frozen=True)
class _Compiled:
    rule: EventRule
    cues: re.Pattern[str] | None
    lead: re.Pattern[str] | None


def _phrases(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for whole-word search of the folded phrases in a `_padded` gap."""
    padded = sorted({f" {' '.join(fold(p))} " for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, padded))) if padded else None


def _padded(words: Sequence[str]) -> str:
    return f" {' '.join(words)} "


class RelationMatcher:
    """Applies event and dose relation rules to one sentence's mentions (token ranges)."""

    def __init__(self, rules: RelationRules | None = None) -> None:
        self.rules = rules or load_relation_rules()
        ordered = sorted(self.rules.rules, key=lambda r: -r.confidence)
        compiled = [_Compiled(r, _phrases(r.cues), _phrases(r.lead)) for r in ordered]
        self._rules = {order: [c for c in compiled if c.rule.order == order]
                       for order in ("drug_event", "event_drug")}  # fmt: skip
        # No rule, fallback included, reaches over a longer gap.
        gaps = [r.max_gap_tokens for r in self.rules.rules]
        self._reach = max([*gaps, self.rules.fallback.max_gap_tokens])
        self._blockers = frozenset(w for b in self.rules.blockers for w in fold(b))
        self._coordination = frozenset(w for c in self.rules.coordination for w in fold(c))
        reaches = sorted(set(self.rules.indication_cues.values()))
        self._indications = [
            (reach, _phrases([c for c, r in self.rules.indication_cues.items() if r == reach]))
            for reach in reaches
        ]

    def link_events(
        self, words: Sequence[str], drugs: Sequence[Range], events: Sequence[Range]
    ) -> list[list[Link]]:
        """For each event, the drugs it is attributed to (none when no drug is in reach)."""
        links: list[list[Link]] = []
        for event in events:
            best = self._best_drug(words, drugs, event)
            if best is None:
                links.append([])
                continue
            group = self._coordinated(words, drugs, best.drug)
            links.append([Link(d, best.confidence, best.rule) for d in group])
        return links

    def _best_drug(self, words: Sequence[str], drugs: Sequence[Range], event: Range) -> Link | None:
        best: tuple[float, int, Link] | None = None
        for index, drug in enumerate(drugs):
            found = self._rule_for(words, drug, event)
            if found is None:
                continue
            confidence, rule, gap = found
            if best is None or (confidence, -gap) > best[:2]:
                best = (confidence, -gap, Link(index, confidence, rule))
        return best[2] if best is not None else None

    def _rule_for(
        self, words: Sequence[str], drug: Range, event: Range
    ) -> tuple[float, str, int] | None:
        """(confidence, rule name, gap length) of the best rule tying `drug` to `event`."""
        first, second = (drug, event) if drug[0] < event[0] else (event, drug)
        order = "drug_event" if first is drug else "event_drug"
        gap = words[first[1] : second[0]]
        if len(gap) > self._reach:
            return None
        joined = _padded(gap)
        if self._blockers.intersection(gap) or self._indication(joined, len(gap)):
            return None
        for compiled in self._rules[order]:
            rule = compiled.rule
            if len(gap) > rule.max_gap_tokens:
                continue
            if compiled.cues is not None and compiled.cues.search(joined) is None:
                continue
            lead = _padded(words[max(0, first[0] - rule.lead_tokens) : first[0]])
            if compiled.lead is not None and compiled.lead.search(lead) is None:
                continue
            return rule.confidence, rule.name, len(gap)
        fallback = self.rules.fallback
        if len(gap) <= fallback.max_gap_tokens:
            return fallback.confidence, "fallback", len(gap)
        return None

    def _indication(self, joined: str, size: int) -> bool:
        """Whether the gap says the drug treats the condition (a cue within its reach)."""
        return any(
            size <= reach and cues is not None and cues.search(joined) is not None
            for reach, cues in self._indications
        )

    def _coordinated(self, words: Sequence[str], drugs: Sequence[Range], chosen: int) -> list[int]:
        """`chosen` and the drugs joined to it by "and", "or" or punctuation alone."""
        group = [chosen]
        for step in (-1, 1):
            at = chosen
            while 0 <= at + step < len(drugs):
                left, right = sorted((drugs[at], drugs[at + step]))
                if not self._coordination.issuperset(words[left[1] : right[0]]):
                    break
                at += step
                group.append(at)
        return sorted(group)

    def link_doses(
        self, words: Sequence[str], drugs: Sequence[Range], doses: Sequence[Range]
    ) -> list[int | None]:
        """For each dose, the number of the drug it is the dose of, if one is in reach."""
        return [self._dose_drug(words, drugs, dose) for dose in doses]

    def _dose_drug(self, words: Sequence[str], drugs: Sequence[Range], dose: Range) -> int | None:
        rule = self.rules.dose
        best: tuple[int, int] | None = None
        for index, drug in enumerate(drugs):
            before = drug[1] <= dose[0]
            gap = words[drug[1] : dose[0]] if before else words[dose[1] : drug[0]]
            if len(gap) > rule.max_gap_tokens or self._blockers.intersection(gap):
                continue
            cost = len(gap) + (0 if before else rule.drug_after_dose_penalty)
            if best is None or cost < best[0]:
                best = (cost, index)
        return best[1] if best is not None else None
