"""Drug and adverse-event words that no term list holds, recognised by their endings.

Drug names follow the USAN stems ("-mab", "-pril", "-mycin"); disorder words follow Greek and
Latin endings ("-itis", "-emia", "-penia"). A word of at least `min_token_length` letters with
such an ending, not on the exception lists, is a one-word mention; an adverse-event mention
then takes in the modifiers just before it ("acute renal" failure, "cutaneous" vasculitis:
listed words, and long words with adjective endings). The lists are data
(`morphology.json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import Field

from extract.rules.lexicon import TermKind
from extract.rules.rules_data import load_rules
from extract.rules.tokens import Match, fold
from pvkg.records import Record

RULES_FILE = "morphology.json"


class MorphologyRules(Record):
    version: int
    min_token_length: Annotated[int, Field(ge=1)]
    drug_suffixes: tuple[str, ...]
    event_suffixes: tuple[str, ...]
    not_drugs: tuple[str, ...] = ()
    not_events: tuple[str, ...] = ()
    event_modifiers: tuple[str, ...] = ()
    modifier_suffixes: tuple[str, ...] = ()


def load_morphology(path: str | Path | None = None) -> MorphologyRules:
    return load_rules(MorphologyRules, RULES_FILE, path)


class Morphology:
    """Adds suffix-recognised words to a sentence's term matches and widens events."""

    def __init__(self, rules: MorphologyRules | None = None) -> None:
        self.rules = rules or load_morphology()
        self._drug = tuple(s.casefold() for s in self.rules.drug_suffixes)
        self._event = tuple(s.casefold() for s in self.rules.event_suffixes)
        self._any = self._drug + self._event
        self._not_drugs = frozenset(w.casefold() for w in self.rules.not_drugs)
        self._not_events = frozenset(w.casefold() for w in self.rules.not_events)
        self._modifiers = frozenset(w for m in self.rules.event_modifiers for w in fold(m))
        self._modifier_endings = tuple(s.casefold() for s in self.rules.modifier_suffixes)

    def kind_of(self, word: str) -> TermKind | None:
        if len(word) < self.rules.min_token_length:
            return None
        if word.endswith(self._event) and word not in self._not_events:
            return "adverse_event"
        if word.endswith(self._drug) and word not in self._not_drugs:
            return "drug"
        return None

    def complete(
        self, words: Sequence[str], matches: Sequence[Match[TermKind]]
    ) -> list[Match[TermKind]]:
        """`matches` plus suffix-recognised words between them, events widened to the left
        over modifiers, in order."""
        # One C-level test per word first: most words have none of the endings.
        shortest = self.rules.min_token_length
        candidates = [
            i for i, word in enumerate(words) if len(word) >= shortest and word.endswith(self._any)
        ]
        found: list[Match[TermKind]] = []
        at = 0
        end: Match[TermKind] = Match(len(words), len(words), "drug")
        next_candidate = 0
        for match in [*matches, end]:
            while next_candidate < len(candidates) and candidates[next_candidate] < match.first:
                i = candidates[next_candidate]
                next_candidate += 1
                kind = self.kind_of(words[i]) if i >= at else None
                if kind is not None:
                    found.append(Match(i, i + 1, kind))
            if match.first < len(words):
                found.append(match)
            at = match.stop
        return [self._widen(m, words, found[k - 1].stop if k else 0) for k, m in enumerate(found)]

    def _widen(self, match: Match[TermKind], words: Sequence[str], floor: int) -> Match[TermKind]:
        if match.value != "adverse_event":
            return match
        first = match.first
        while first > floor and self._is_modifier(words[first - 1]):
            first -= 1
        return match if first == match.first else Match(first, match.stop, match.value)

    def _is_modifier(self, word: str) -> bool:
        long_enough = len(word) >= self.rules.min_token_length
        return word in self._modifiers or (long_enough and word.endswith(self._modifier_endings))
