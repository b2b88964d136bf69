"""What is compared and how items pair up.

An item is an entity (one span) or a relation (a drug span and its event or dose span) of
one note; items with the same spans are one item, so duplicates count once on each side.

- strict: a gold and a predicted item match when every span has the same offsets (for a
  discontinuous span, the same fragments). The kind (type) is compared by construction:
  items of different types are never compared.
- lenient: spans match when they overlap (share a character, fragment by fragment), and
  relations when both their spans overlap. Matching is one-to-one: the most pairs possible
  (a maximum bipartite matching), starting from the strict pairs, so an overlap never counts
  twice and lenient scores are never below strict ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pvkg.gold import Fragments, span_fragments
from pvkg.records import Span


@dataclass(frozen=True)
class Item:
    """An entity or relation of a note: its spans, in order (drug first for relations)."""

    spans: tuple[Span, ...]
    key: tuple[Fragments, ...]

    @classmethod
    def of(cls, *spans: Span) -> Item:
        return cls(spans, tuple(span_fragments(span) for span in spans))


def unique_items(items: Sequence[Item]) -> list[Item]:
    """Items with distinct spans, first one kept, in order."""
    seen: dict[tuple[Fragments, ...], Item] = {}
    for item in items:
        seen.setdefault(item.key, item)
    return list(seen.values())


def overlaps(a: Fragments, b: Fragments) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def strict_pairs(gold: Sequence[Item], pred: Sequence[Item]) -> dict[int, int]:
    """Predicted index -> gold index for items with identical spans."""
    gold_at = {item.key: index for index, item in enumerate(gold)}
    return {p: gold_at[item.key] for p, item in enumerate(pred) if item.key in gold_at}


def lenient_pairs(
    gold: Sequence[Item], pred: Sequence[Item], strict: dict[int, int]
) -> dict[int, int]:
    """Predicted index -> gold index: a maximum one-to-one matching of overlapping items."""
    pred_keys = [item.key for item in pred]
    edges = [
        [
            p
            for p, key in enumerate(pred_keys)
            if all(overlaps(a, b) for a, b in zip(item.key, key, strict=True))
        ]
        for item in gold
    ]
    matched = dict(strict)
    taken = set(strict.values())
    for g in range(len(gold)):
        if g not in taken and _augment(g, edges, matched, set()):
            taken.add(g)
    return matched


def _augment(g: int, edges: list[list[int]], matched: dict[int, int], seen: set[int]) -> bool:
    """Kuhn's step: find `g` a partner, moving earlier gold items along if need be."""
    for p in edges[g]:
        if p in seen:
            continue
        seen.add(p)
        if p not in matched or _augment(matched[p], edges, matched, seen):
            matched[p] = g
            return True
    return False
