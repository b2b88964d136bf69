"""Abbreviation definitions in a note, after Schwartz & Hearst (2003), "A simple algorithm
for identifying abbreviation definitions in biomedical text" (PSB 2003).

A definition is "long form (SF)" or "SF (long form)". The text in parentheses is read as
the short form when it has at most two words (cut at ", " or "; "); otherwise, or when that
reading finds no long form, the word before the parentheses is the short form and the
parenthesised text its long form (the paper takes this second reading only for more than two
words, which misses "TMP-SMX (trimethoprim-sulfamethoxazole)"). A short form has 2-10
characters, a letter, and an alphanumeric first character (a capital too, in the second
reading). Its long form is found by matching the short form's letters and digits right to
left, the first one at the start of a word, within min(|SF| + 5, 2|SF|) words (|SF| counts
letters and digits). A long form never reaches back past a sentence end or an earlier
parenthesis.

`abbreviations(text)` gives the definitions and every later whole-word occurrence of their
short forms; `expansion_of(text, start, end)` says which long form, if any, `text[start:end]`
stands for. Standard library only, so any extractor can use it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

MIN_SHORT, MAX_SHORT = 2, 10
LOOKBACK = 400  # characters: more than any long form of at most 15 words needs
_OPEN = re.compile(r"\s\(")
# Where a long form may not reach back past: a sentence end or a line break.
_SENTENCE_END = re.compile(r"[.!?]\s|\n")


@dataclass(frozen=True)
class Definition:
    """A short form and the long form it is defined as, with their offsets in the text."""

    short_form: str
    long_form: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


@dataclass(frozen=True)
class Occurrence:
    """Characters `start:end` are the short form of `definition`."""

    start: int
    end: int
    definition: Definition

    @property
    def long_form(self) -> str:
        return self.definition.long_form


@dataclass(frozen=True)
class Abbreviations:
    """A note's definitions and the later occurrences of their short forms, in order."""

    definitions: tuple[Definition, ...]
    occurrences: tuple[Occurrence, ...]

    @cached_property
    def short_forms(self) -> tuple[Occurrence, ...]:
        """Every short form in the text: in its definition and later, in order."""
        defining = (Occurrence(d.short_start, d.short_end, d) for d in self.definitions)
        return tuple(sorted((*defining, *self.occurrences), key=lambda o: o.start))

    def within(self, start: int, end: int) -> tuple[Occurrence, ...]:
        """The short forms that lie in characters `start:end`."""
        if not self.definitions:  # most notes: no definitions at all
            return ()
        forms = self.short_forms
        first = bisect.bisect_left(forms, start, key=lambda o: o.start)
        stop = bisect.bisect_left(forms, end, key=lambda o: o.start)
        return tuple(o for o in forms[first:stop] if o.end <= end)

    def long_form_at(self, start: int, end: int) -> str | None:
        """The long form that characters `start:end` abbreviate, if they are a short form."""
        found = (o.long_form for o in self.within(start, end) if (o.start, o.end) == (start, end))
        return next(found, None)


NONE = Abbreviations((), ())


def expansion_of(text: str, start: int, end: int) -> str | None:
    """The long form that `text[start:end]` abbreviates: the span is a short form defined in
    `text` ("valproic acid (VPA)"), in its definition or after it. None otherwise."""
    return _cached(text).long_form_at(start, end)


def abbreviations(text: str) -> Abbreviations:
    """The definitions in `text` and the later occurrences of their short forms."""
    if "(" not in text:  # most sentences: nothing to look at
        return NONE
    definitions: list[Definition] = []
    floor = 0
    for match in _OPEN.finditer(text):
        if match.end() < floor:  # nested in the parentheses before
            continue
        close = _closing(text, match.end())
        if close is None:
            continue
        found = _definition(text, max(floor, _sentence_start(text, match.start())), match, close)
        if found is not None:
            definitions.append(found)
        floor = close + 1  # as in the paper's code: no long form reaches back past a ")"
    if not definitions:
        return NONE
    return Abbreviations(tuple(definitions), _occurrences(text, definitions))


# `expansion_of` is asked about several spans of one note in turn.
_cached = lru_cache(maxsize=256)(abbreviations)


def _closing(text: str, inner: int) -> int | None:
    """The parenthesis that closes the one before `inner` (nesting counted), in its sentence."""
    depth = 1
    for at in range(inner, len(text)):
        char = text[at]
        if char == "\n":
            return None
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return at
    return None


def _sentence_start(text: str, at: int) -> int:
    lo = max(0, at - LOOKBACK)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, at)]
    return ends[-1] if ends else lo


def _definition(text: str, floor: int, opening: re.Match[str], close: int) -> Definition | None:
    inner_start, paren = opening.end(), opening.start()
    inner_end = _cut(text, inner_start, close)
    inner_start, inner_end = _strip(text, inner_start, inner_end)
    if inner_start == inner_end:
        return None
    if len(text[inner_start:inner_end].split()) <= 2:
        found = _long_before(text, floor, paren, inner_start, inner_end)
        if found is not None:
            return found
    return _short_before(text, floor, paren, inner_start, close)


def _cut(text: str, start: int, end: int) -> int:
    """The end of a short form candidate: "(VPA; 20 mg)" is "VPA"."""
    cuts = [at for sep in (", ", "; ") if (at := text.find(sep, start, end)) != -1]
    return min(cuts, default=end)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _long_before(
    text: str, floor: int, paren: int, short_start: int, short_end: int
) -> Definition | None:
    """Reading 1, "long form (SF)": the long form ends just before the parenthesis."""
    short = text[short_start:short_end]
    if not _valid_short(short):
        return None
    end = _strip(text, floor, paren)[1]
    start = _long_start(short, text, _window(text, floor, end, _max_words(short)), end, floor)
    if start is None or not _valid_pair(short, text[start:end]):
        return None
    return Definition(short, text[start:end], short_start, short_end, start, end)


def _short_before(text: str, floor: int, paren: int, inner: int, close: int) -> Definition | None:
    """Reading 2, "SF (long form)": the short form is the word before the parenthesis."""
    short_end = _strip(text, floor, paren)[1]
    short_start = _window(text, floor, short_end, 1, separators=" \t\r\n")
    short = text[short_start:short_end]
    if not _valid_short(short) or not any(c.isupper() for c in short):
        return None
    inner, end = _strip(text, inner, close)
    start = _long_start(short, text, inner, end, inner)
    if start is None or not _valid_pair(short, text[start:end]):
        return None
    return Definition(short, text[start:end], short_start, short_end, start, end)


def _valid_short(short: str) -> bool:
    return (
        MIN_SHORT <= len(short) <= MAX_SHORT
        and short[0].isalnum()
        and any(c.isalpha() for c in short)
    )


def _size(short: str) -> int:
    return sum(c.isalnum() for c in short)


def _max_words(short: str) -> int:
    return min(_size(short) + 5, 2 * _size(short))


def _words(text: str) -> int:
    return len(re.findall(r"[^\s-]+", text))


def _window(text: str, floor: int, end: int, words: int, separators: str = " \t\r\n-") -> int:
    """The start of the last `words` words of `text[floor:end]`."""
    at = end
    for _ in range(words):
        while at > floor and text[at - 1] in separators:
            at -= 1
        while at > floor and text[at - 1] not in separators:
            at -= 1
    return at


def _long_start(short: str, text: str, lo: int, hi: int, floor: int) -> int | None:
    """Where the long form of `short` in `text[lo:hi]` starts: each letter and digit of the
    short form matched right to left, the first at the start of a word (the paper's
    findBestLongForm), then back to whitespace (not past `floor`)."""
    at = hi - 1
    for index in range(len(short) - 1, -1, -1):
        char = short[index].lower()
        if not char.isalnum():
            continue
        while at >= lo and (
            text[at].lower() != char or (index == 0 and at > lo and text[at - 1].isalnum())
        ):
            at -= 1
        if at < lo:
            return None
        at -= 1
    start = at + 1
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return start


def _valid_pair(short: str, long: str) -> bool:
    """The paper's checks: a long form longer than its short form, not containing it as a
    word, of at most min(|SF| + 5, 2|SF|) words."""
    return (
        len(long) > len(short)
        and next(_whole_words(long, short, 0), None) is None
        and _words(long) <= _max_words(short)
    )


def _whole_words(text: str, word: str, start: int) -> Iterator[int]:
    """Where `word` stands in `text[start:]` as a whole word (case-sensitive)."""
    at = text.find(word, start)
    while at != -1:
        end = at + len(word)
        if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield at
        at = text.find(word, at + 1)


def _occurrences(text: str, definitions: list[Definition]) -> tuple[Occurrence, ...]:
    """Whole-word, case-sensitive matches of each short form after its definition; one
    defined twice stands for its nearest definition before it."""
    defining = {d.short_start for d in definitions}
    found: dict[int, Occurrence] = {}
    for definition in definitions:  # in order: a later definition overrides from its end on
        short = definition.short_form
        for at in _whole_words(text, short, max(definition.short_end, definition.long_end)):
            if at not in defining:
                found[at] = Occurrence(at, at + len(short), definition)
    return tuple(found[start] for start in sorted(found))
