"""Microbenchmark: the OSA edit distance of normalize._query.edit (rapidfuzz) against the
pure-Python bit-parallel version it replaced (kept below as the baseline).

    .venv/bin/python benchmarks/osa_distance.py [--pairs N] [--repeat N]

Pairs are shaped like the ones approximate linking scores: a key of one to four made-up
words and a variant of it with one typo, one word replaced or one word dropped, and single
tokens against a one-edit neighbour. Both versions must agree on every pair (and on random
Unicode strings) before anything is timed; each time is the best of `--repeat`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize._query.edit import edit_similarity, one_edit, osa_distance  # noqa: E402

_SYLLABLES = [c + v for c in "bcdlmnrst" for v in "aeio"]
Pair = tuple[str, str]


# The Python version (Hyyrö 2003), as normalize used it before rapidfuzz.
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


def python_osa_distance(a: str, b: str) -> int:
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


def python_edit_similarity(a: str, b: str) -> float:
    """1 - OSA distance / length of the longer string, in [0, 1]."""
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - python_osa_distance(a, b) / longest


def python_one_edit(a: str, b: str) -> bool:
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


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5)))


def _typo(word: str, rng: random.Random) -> str:
    p = rng.randrange(len(word) - 1)
    op = rng.choice(("swap", "sub", "del", "ins"))
    if op == "swap":
        return word[:p] + word[p + 1] + word[p] + word[p + 2 :]
    if op == "sub":
        return word[:p] + rng.choice("aeiou") + word[p + 1 :]
    if op == "del":
        return word[:p] + word[p + 1 :]
    return word[:p] + rng.choice("aeiou") + word[p:]


def _pairs(n: int, seed: int = 5) -> list[Pair]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    out = []
    for _ in range(n // 2):
        words = [_word(rng) for _ in range(rng.randint(1, 4))]
        other = list(words)
        i = rng.randrange(len(other))
        change = rng.choice(("typo", "replace", "drop"))
        if change == "typo":
            other[i] = _typo(other[i], rng)
        elif change == "replace":
            other[i] = _word(rng)
        elif len(other) > 1:
            del other[i]
        out.append((" ".join(sorted(words)), " ".join(sorted(other))))
        token = _word(rng)
        out.append((token, _typo(token, rng)))
    return out


def _unicode_pairs(n: int, seed: int = 9) -> list[Pair]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    alphabet = "abcdeé ßüøñ漢字🙂"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))

    return [(text(), text()) for _ in range(n)]


def _best(fn: Callable[[str, str], object], pairs: list[Pair], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for a, b in pairs:
            fn(a, b)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pairs = _pairs(args.pairs)
    versions = (
        ("distance", python_osa_distance, osa_distance),
        ("similarity", python_edit_similarity, edit_similarity),
        ("one edit", python_one_edit, one_edit),
    )
    for a, b in pairs + _unicode_pairs(20_000):
        for _, python, rapid in versions:
            assert python(a, b) == rapid(a, b), (a, b)
    mean = sum(len(a) + len(b) for a, b in pairs) / 2 / len(pairs)
    print(
        f"{len(pairs):,} pairs (mean length {mean:.1f}), identical results; best of {args.repeat}"
    )
    for label, python, rapid in versions:
        slow, fast = _best(python, pairs, args.repeat), _best(rapid, pairs, args.repeat)
        print(
            f"{label}: Python {len(pairs) / slow:,.0f} pairs/s, rapidfuzz "
            f"{len(pairs) / fast:,.0f} pairs/s ({slow / fast:.1f}x)"
        )


if __name__ == "__main__":
    main()
