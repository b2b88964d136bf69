"""Drug and adverse-event terms compiled into one token trie, matched in one pass.

A term source is any iterable of (term, kind) pairs: a user's TSV (`read_terms`), a list
learned from gold documents (`extract.rules.learn`), or an index that can enumerate its
terms. Terms are folded to case-free tokens; when two sources give one term different kinds
the first one wins, so put the source you trust most first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, TypeAlias

from extract.rules.tokens import Match, Tokens, TokenTrie, fold
from pvkg.errors import InputError
from pvkg.problems import ErrorHandler, report
from pvkg.textfiles import non_blank_lines

TermKind = Literal["drug", "adverse_event"]
TERM_KINDS: tuple[TermKind, ...] = ("drug", "adverse_event")
TermSource: TypeAlias = Iterable[tuple[str, TermKind]]


class Lexicon:
    """Terms by kind; `find` returns the leftmost-longest term matches of a token list."""

    def __init__(self, *sources: TermSource) -> None:
        self._trie: TokenTrie[TermKind] = TokenTrie()
        for source in sources:
            self.add_terms(source)

    def __len__(self) -> int:
        return len(self._trie)

    def add(self, term: str, kind: TermKind) -> bool:
        """Add one term; False when it has no word characters or is already known."""
        return self._trie.add(fold(term), kind)

    def add_terms(self, source: TermSource) -> int:
        """Add every (term, kind) pair of `source`; returns how many were new."""
        return sum(self.add(term, kind) for term, kind in source)

    def kind_of(self, term: str) -> TermKind | None:
        return self._trie.get(fold(term))

    def find(self, tokens: Tokens) -> Iterator[Match[TermKind]]:
        return self._trie.scan(tokens.words)


def as_kind(text: str) -> TermKind | None:
    """`text` as a term kind ("adverse event" and "ae" are accepted), or None."""
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    normal = {"ae": "adverse_event", "ade": "adverse_event"}.get(normal, normal)
    for kind in TERM_KINDS:
        if normal == kind:
            return kind
    return None


def read_terms(path: str | Path, *, on_error: ErrorHandler | None = None) -> TermSource:
    """(term, kind) pairs from a TSV of `term<TAB>kind` lines; `#` starts a comment line,
    and a first line `term<TAB>kind` is a header."""
    return _iter_terms(Path(path), on_error)


def _iter_terms(path: Path, on_error: ErrorHandler | None) -> Iterator[tuple[str, TermKind]]:
    for line_no, line in non_blank_lines(path, on_error):
        if line.lstrip().startswith("#"):
            continue
        term, sep, raw_kind = line.rpartition("\t")
        if line_no == 1 and (term.strip().lower(), raw_kind.strip().lower()) == ("term", "kind"):
            continue
        kind = as_kind(raw_kind)
        if not sep or not term.strip():
            reason = "expected 'term<TAB>kind'"
        elif kind is None:
            reason = f"unknown kind {raw_kind.strip()!r} (drug or adverse_event)"
        elif not fold(term):
            reason = "term has no letters or digits"
        else:
            yield term.strip(), kind
            continue
        report(InputError(reason, file=path, line=line_no), on_error)
