"""Transposition-aware edit distance (optimal string alignment), bit-parallel.

Hyyrö's bit-vector algorithm (2003) for Damerau distance restricted to non-overlapping
edits: one pass over `b` with machine-word operations on a bit per character of `a`.
"""

from __future__ import annotations


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by binary search over slice comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def osa_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and adjacent transpositions turning `a` into `b`."""
    # A common prefix or suffix costs nothing: linked keys share most of their tokens.
    start = _common_prefix(a, b)
    a, b = a[start:], b[start:]
    end = _common_prefix(a[::-1], b[::-1])
    a, b = a[: len(a) - end], b[: len(b) - end]
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


def one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by exactly one insertion, deletion, substitution or adjacent
    transposition (OSA distance 1), in one pass from the first difference."""
    la, lb = len(a), len(b)
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if lb - la > 1 or a == b:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la < lb:
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        a[i : i + 2] == b[i + 1 : i + 2] + b[i : i + 1] and a[i + 2 :] == b[i + 2 :]
    )
