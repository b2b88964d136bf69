"""ConText-style assertion of mentions, as separate axes (Harkema et al. 2009): negated,
speculated, historical, hypothetical, family, each true or false.

Triggers, their categories and scope directions are data (`context_rules.json`). A trigger's
scope runs forward, backward or both from it, up to `max_scope_tokens`, a terminator ("but",
";") or the sentence end. Pseudo-triggers ("no increase") are longer phrases that win the
leftmost-longest match and do nothing. A mention is on every axis whose scope covers it;
its single assertion label is the first axis it is on in `precedence` (hypothetical reads
as speculated: the record's labels have no hypothetical), and present when it is on none.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from extract.rules.rules_data import load_rules
from extract.rules.tokens import Match, TokenTrie, fold
from pvkg.records import Assertion, ContextAxes, Record

Axis = Literal["negated", "speculated", "historical", "hypothetical", "family"]
AXES: tuple[Axis, ...] = ("negated", "speculated", "historical", "hypothetical", "family")
Category = Literal[
    "negated", "speculated", "historical", "hypothetical", "family", "pseudo", "terminate"
]
Direction = Literal["forward", "backward", "bidirectional"]
RULES_FILE = "context_rules.json"
_LABEL: dict[Axis, Assertion] = {
    "negated": "negated",
    "speculated": "speculated",
    "historical": "historical",
    "hypothetical": "speculated",
    "family": "family",
}


class ContextRule(Record):
    """A trigger. `ends` names the axes whose scopes it ends: a terminator ends every one
    unless it names some; any other trigger ends none unless it names some (a denial ends
    a history: "a history of deafness and denies nausea")."""

    trigger: Annotated[str, Field(min_length=1)]
    category: Category
    direction: Direction = "forward"
    max_scope_tokens: Annotated[int, Field(ge=1)] | None = None
    ends: tuple[Axis, ...] | None = None
    also: tuple[Axis, ...] = ()  # further axes its scope sets ("family history": historical)

    def ends_scope_of(self, axis: str) -> bool:
        if self.ends is None:
            return self.category == "terminate"
        return axis in self.ends


class ContextRules(Record):
    version: int
    max_scope_tokens: Annotated[int, Field(ge=1)] = 8
    precedence: tuple[Axis, ...]
    rules: tuple[ContextRule, ...]


def load_context_rules(path: str | Path | None = None) -> ContextRules:
    return load_rules(ContextRules, RULES_FILE, path)


class ContextMatcher:
    """Assigns each adverse-event mention of a sentence its assertion."""

    def __init__(self, rules: ContextRules | None = None) -> None:
        self.rules = rules or load_context_rules()
        self._trie: TokenTrie[ContextRule] = TokenTrie()
        for rule in self.rules.rules:
            self._trie.add(fold(rule.trigger), rule)

    def assertions(
        self,
        words: Sequence[str],
        events: Sequence[tuple[int, int]],
        occupied: Sequence[tuple[int, int]],
    ) -> list[Assertion]:
        """The assertion of each event (token range) in a sentence's `words`; triggers that
        overlap an `occupied` range (a mention) are not triggers there."""
        return [assertion for assertion, _ in self.decisions(words, events, occupied)]

    def axes(
        self,
        words: Sequence[str],
        events: Sequence[tuple[int, int]],
        occupied: Sequence[tuple[int, int]],
    ) -> list[tuple[Assertion, ContextAxes]]:
        """Each event's assertion label with every axis it is on."""
        scopes = self._all_scopes(words, occupied)
        found = [self._found(event, scopes) for event in events]
        return [(self._label(f)[0], ContextAxes(**{a: a in f for a in AXES})) for f in found]

    def decisions(
        self,
        words: Sequence[str],
        events: Sequence[tuple[int, int]],
        occupied: Sequence[tuple[int, int]],
    ) -> list[tuple[Assertion, ContextRule | None]]:
        """Each event's assertion (as `assertions`) with the rule whose scope set it, None
        for a present event."""
        scopes = self._all_scopes(words, occupied)
        return [self._label(self._found(event, scopes)) for event in events]

    def _all_scopes(
        self, words: Sequence[str], occupied: Sequence[tuple[int, int]]
    ) -> list[tuple[ContextRule, tuple[int, int]]]:
        """Every trigger's scope in the sentence (token ranges), with its rule."""
        taken = {i for first, stop in occupied for i in range(first, stop)}
        triggers = [
            m for m in self._trie.scan(words) if not taken.intersection(range(m.first, m.stop))
        ]
        ends: dict[str, list[Match[ContextRule]]] = {
            axis: [m for m in triggers if m.value.ends_scope_of(axis)] for axis in AXES
        }
        starts = {axis: [m.first for m in found] for axis, found in ends.items()}
        return [
            (m.value, scope)
            for m in triggers
            if m.value.category not in ("terminate", "pseudo")
            for scope in self._scopes(
                m, ends[m.value.category], starts[m.value.category], len(words)
            )
        ]

    def _scopes(
        self, trigger: Match[ContextRule], ends: list[Match[ContextRule]], starts: list[int], n: int
    ) -> list[tuple[int, int]]:
        rule = trigger.value
        reach = rule.max_scope_tokens or self.rules.max_scope_tokens
        scopes = []
        if rule.direction in ("forward", "bidirectional"):
            after = bisect.bisect_left(starts, trigger.stop)
            stop = starts[after] if after < len(starts) else n
            scopes.append((trigger.stop, min(stop, trigger.stop + reach)))
        if rule.direction in ("backward", "bidirectional"):
            before = bisect.bisect_right(starts, trigger.first) - 1
            first = ends[before].stop if before >= 0 else 0
            scopes.append((max(first, trigger.first - reach), trigger.first))
        return scopes

    @staticmethod
    def _found(
        event: tuple[int, int], scopes: Sequence[tuple[ContextRule, tuple[int, int]]]
    ) -> dict[str, ContextRule]:
        """The axes whose scope covers the event, each with its first rule."""
        first, stop = event
        found: dict[str, ContextRule] = {}
        for rule, (lo, hi) in scopes:
            if first < hi and stop > lo:
                for axis in (rule.category, *rule.also):
                    found.setdefault(axis, rule)
        return found

    def _label(self, found: dict[str, ContextRule]) -> tuple[Assertion, ContextRule | None]:
        axis = next((a for a in self.rules.precedence if a in found), None)
        if axis is None:
            return "present", None
        return _LABEL[axis], found[axis]
