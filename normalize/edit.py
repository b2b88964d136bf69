"""Transposition-aware edit distance (optimal string alignment), bit-parallel.

Hyyrö's bit-vector algorithm (2003) for Damerau distance restricted to non-overlapping
edits: one pass over `b` with machine-word operations on a bit per character of `a`.
"""

from __future__ import annotations


def osa_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and adjacent transpositions turning `a` into `b`."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    last = 1 << (len(a) - 1)
    vp, vn, d0, pm_prev = full, 0, 0, 0
    distance = len(a)
    for ch in b:
        pm = masks.get(ch, 0)
        tr = (((~d0) & pm) << 1) & pm_prev
        d0 = ((((pm & vp) + vp) & full) ^ vp) | pm | vn | tr
        hp = (vn | ~(d0 | vp)) & full
        hn = d0 & vp
        if hp & last:
            distance += 1
        elif hn & last:
            distance -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        vp = (hn | ~(d0 | hp)) & full
        vn = d0 & hp
        pm_prev = pm
    return distance


def edit_similarity(a: str, b: str) -> float:
    """1 - OSA distance / length of the longer string, in [0, 1]."""
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - osa_distance(a, b) / longest
