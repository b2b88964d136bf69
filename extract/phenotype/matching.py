"""Phase 1 offline: find each criterion's terms in a sentence (by normalized key, so case,
plurals and word order do not matter), give each find its ConText assertion, and read the
value that follows it where the criterion asks for one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from extract.phenotype.criteria import Criterion, ValueRule
from extract.rules.context import ContextMatcher
from extract.rules.tokens import Tokens, tokenize
from normalize import normalize_key
from pvkg.records import Assertion

MAX_TERM_WORDS = 8
# A find may hold stop words between its words (see `_longest_at`); this bounds the search.
MAX_WINDOW_TOKENS = 2 * MAX_TERM_WORDS
# A number after the term, within a few words, and the unit right after it.
_VALUE = re.compile(r"(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[A-Za-z%µ/][\w/.%²µ]*)?")
_VALUE_REACH = 40


@dataclass(frozen=True)
class Find:
    """A criterion's term found at characters `start:end` of a note, in the sentence
    `sentence_start:sentence_end`."""

    criterion: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    assertion: Assertion
    value: float | None = None


class CriterionMatcher:
    """The terms of every criterion (its own and its concepts' synonyms) as keys."""

    def __init__(
        self, criteria: Iterable[Criterion], synonyms: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self.criteria = {c.id: c for c in criteria}
        self._keys: dict[str, set[str]] = {}
        longest = 1
        for criterion in self.criteria.values():
            terms = [*criterion.terms, *(synonyms or {}).get(criterion.id, ())]
            for term in terms:
                key = normalize_key(term)
                if key:
                    self._keys.setdefault(key, set()).add(criterion.id)
                    longest = max(longest, sum(map(_counts, tokenize(term).words)))
        # In words that count: a stop word or a token without a key ("of", ";") does not, so
        # "injury to the liver" reaches "liver injury" whatever the other terms' lengths.
        self._longest = min(longest, MAX_TERM_WORDS)
        self._context = ContextMatcher()

    def finds(self, text: str, sentence_start: int, sentence_end: int) -> list[Find]:
        """Every qualifying or not find in one sentence of `text`; the caller keeps those
        whose assertion and value the criterion allows."""
        tokens = tokenize(text, sentence_start, sentence_end)
        hits = list(self._hits(tokens))
        ranges = [(first, stop) for _, first, stop in hits]
        decided = self._context.decisions(tokens.words, ranges, ranges)
        found = []
        for (criterion, first, stop), (assertion, _) in zip(hits, decided, strict=True):
            start, end = tokens.starts[first], tokens.ends[stop - 1]
            value = _value(text, end, sentence_end, self.criteria[criterion].value)
            found.append(Find(criterion, start, end, sentence_start, sentence_end, assertion,
                              value))  # fmt: skip
        return found

    def _hits(self, tokens: Tokens) -> Iterator[tuple[str, int, int]]:
        """(criterion, first token, stop token): at each token the longest phrase a
        criterion has; a word inside a longer find does not start another."""
        words, i = tokens.words, 0
        counts = [_counts(word) for word in words]
        while i < len(words):
            stop = self._longest_at(words, counts, i)
            if stop is None:
                i += 1
                continue
            key = normalize_key(" ".join(words[i:stop]))
            for criterion in sorted(self._keys[key]):
                yield criterion, i, stop
            i = stop

    def _longest_at(self, words: list[str], counts: list[bool], i: int) -> int | None:
        # A find starts and ends on a word that counts: "of exanthema" would hide the
        # "history of" before it from ConText.
        if not counts[i]:
            return None
        stops, reach = [], 0
        for stop in range(i + 1, min(len(words), i + MAX_WINDOW_TOKENS) + 1):
            if counts[stop - 1]:
                reach += 1
                if reach > self._longest:
                    break
                stops.append(stop)
        for stop in reversed(stops):
            if normalize_key(" ".join(words[i:stop])) in self._keys:
                return stop
        return None


def _counts(word: str) -> bool:
    """Whether a token is a word that a key keeps (not a stop word, not punctuation)."""
    return bool(normalize_key(word))


def qualifies(find: Find, criterion: Criterion) -> bool:
    """Whether a find counts for its criterion: an allowed assertion, and a value in range
    where the criterion asks for one."""
    if find.assertion not in criterion.assertions:
        return False
    rule = criterion.value
    if rule is None:
        return True
    if find.value is None:
        return False
    return (rule.min is None or find.value >= rule.min) and (
        rule.max is None or find.value <= rule.max
    )


def _value(text: str, after: int, limit: int, rule: ValueRule | None) -> float | None:
    if rule is None:
        return None
    for match in _VALUE.finditer(text, after, min(limit, after + _VALUE_REACH)):
        unit = match.group("unit")
        if rule.unit is None or (unit is not None and _same_unit(unit, rule.unit)):
            return float(match.group("number").replace(",", "."))
    return None


def _same_unit(found: str, wanted: str) -> bool:
    def squeeze(unit: str) -> str:
        return unit.casefold().replace(" ", "").replace("²", "2").rstrip(".")

    return squeeze(found) == squeeze(wanted)
