"""Learn a term list from gold documents: every annotated drug and adverse-event mention.

A term's precision is how often a match of it in the documents' text is annotated as that
kind; terms below `min_precision` (words that are also everyday words or indications, say)
and terms annotated fewer than `min_count` times are left out. A term annotated as both kinds
takes its more frequent kind. Discontinuous mentions are skipped, and so are mentions of
function words alone ("a" is a gold drug mention in the ADE corpus: as a term it made "a"
a drug in every sentence).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from extract.rules.lexicon import TERM_KINDS, TermKind
from extract.rules.tokens import TokenTrie, fold, tokenize
from pvkg.gold import FRAGMENTS, GoldDocument

Key = tuple[str, ...]
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "with", "by", "at", "as",
    "is", "are", "was", "were", "be", "it", "this", "that", "these", "those", "no", "not",
})  # fmt: skip


def learn_terms(
    documents: Sequence[GoldDocument], *, min_count: int = 1, min_precision: float = 0.0
) -> list[tuple[str, TermKind]]:
    """(term, kind) pairs, most often annotated first, from the documents' mentions."""
    kinds, surface = _annotated(documents)
    chosen = {key: found.most_common(1)[0] for key, found in kinds.items()}
    hits = _annotated_share(documents, {key: kind for key, (kind, _) in chosen.items()})
    ranked = sorted(chosen.items(), key=lambda item: (-item[1][1], item[0]))
    return [
        (surface[key].most_common(1)[0][0], kind)
        for key, (kind, count) in ranked
        if count >= min_count and hits[key][0] >= min_precision * hits[key][1]
    ]


def _annotated(
    documents: Sequence[GoldDocument],
) -> tuple[dict[Key, Counter[TermKind]], dict[Key, Counter[str]]]:
    kinds: dict[Key, Counter[TermKind]] = defaultdict(Counter)
    surface: dict[Key, Counter[str]] = defaultdict(Counter)
    for document in documents:
        for mention in document.mentions:
            kind = _term_kind(mention.kind)
            key = fold(mention.span.text)
            if kind is None or not key or FRAGMENTS in mention.span.attributes:
                continue
            if all(word in FUNCTION_WORDS for word in key):
                continue
            kinds[key][kind] += 1
            surface[key][mention.span.text] += 1
    return kinds, surface


def _term_kind(kind: str) -> TermKind | None:
    return next((k for k in TERM_KINDS if k == kind), None)


def _annotated_share(
    documents: Sequence[GoldDocument], terms: dict[Key, TermKind]
) -> dict[Key, tuple[int, int]]:
    """Per term: (matches annotated as its kind, all matches) over the documents' text."""
    trie: TokenTrie[Key] = TokenTrie()
    for key in terms:
        trie.add(key, key)
    counts: dict[Key, list[int]] = {key: [0, 0] for key in terms}
    for document in documents:
        text = document.note.text
        gold = {
            (m.span.start, m.span.end, m.kind) for m in document.mentions if m.kind in TERM_KINDS
        }
        tokens = tokenize(text)
        for match in trie.scan(tokens.words):
            start, end = tokens.starts[match.first], tokens.ends[match.stop - 1]
            counts[match.value][1] += 1
            counts[match.value][0] += (start, end, terms[match.value]) in gold
    return {key: (hit, seen) for key, (hit, seen) in counts.items()}
