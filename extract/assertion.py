"""Assertion of given mentions: the ConText axes of each span in its sentence.

The mention is located by its offsets, never by searching for its text; its sentence is the
splitter's sentence (or run of sentences) that holds it, and its own words never count as
triggers ("no" inside "no acute distress" does not negate it).
"""

from __future__ import annotations

import bisect

from extract.rules.context import ContextMatcher, ContextRules
from extract.rules.tokens import tokenize
from extract.text import Window, sentences
from pvkg.records import Assertion, ContextAxes, Span


class MentionAsserter:
    """Axes for mentions of one note after another; the note's sentences are split once."""

    def __init__(self, rules: ContextRules | None = None) -> None:
        self.matcher = ContextMatcher(rules)
        self._text: str | None = None
        self._sentences: list[Window] = []
        self._starts: list[int] = []

    def assert_span(self, text: str, span: Span) -> tuple[Assertion, ContextAxes]:
        """The label and axes of `span` (checked against `text` by the caller)."""
        window = self._window(text, span)
        tokens = tokenize(text, window.start, window.end)
        first = bisect.bisect_right(tokens.ends, span.start)
        stop = bisect.bisect_left(tokens.starts, span.end)
        if first >= stop:  # a span of punctuation only: no words for a scope to cover
            return "present", ContextAxes()
        return self.matcher.axes(tokens.words, [(first, stop)], [(first, stop)])[0]

    def _window(self, text: str, span: Span) -> Window:
        if text is not self._text:
            self._text = text
            self._sentences = sentences(text) or [Window(0, len(text))]
            self._starts = [w.start for w in self._sentences]
        first = max(bisect.bisect_right(self._starts, span.start) - 1, 0)
        last = max(bisect.bisect_left(self._starts, span.end) - 1, first)
        return Window(min(self._sentences[first].start, span.start),
                      max(self._sentences[last].end, span.end))  # fmt: skip
