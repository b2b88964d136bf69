"""The files of one mention kind's approximate index, and the strings they are made of.

The index covers the distinct tokens of the kind's normalized keys (its vocabulary), not
whole keys. Tokens are numbered in order of length, so every trigram's sorted posting list
is also grouped by length. Files per kind: `<stem>.tokens.txt` (token per line, id = line
number), `<stem>.grams.txt` (trigram per line), `<stem>.offsets.npy`, `<stem>.postings.npy`,
`<stem>.sizes.npy` (first token id of each length) and `<stem>.deletes.npy` (sorted
`crc32(d) << 32 | token id` for every token and each string `d` made by deleting one of its
characters, SymSpell's deletion index).
"""

from __future__ import annotations

import zlib
from pathlib import Path

_PARTS = ("tokens.txt", "grams.txt", "offsets.npy", "postings.npy", "sizes.npy", "deletes.npy")


def approx_stem(kind: str) -> str:
    """File name stem of the trigram index of one mention kind."""
    return f"approx-{kind}"


def files(directory: Path, stem: str) -> dict[str, Path]:
    return {part: directory / f"{stem}.{part}" for part in _PARTS}


def grams(key: str) -> list[str]:
    """Trigrams of `$key$`; a repeated trigram gets its repeat number so sizes equal len(key)."""
    plain = _plain_grams(key)
    return plain if len(set(plain)) == len(plain) else _numbered(plain)


def _plain_grams(key: str) -> list[str]:
    padded = f"${key}$"
    return [padded[i : i + 3] for i in range(len(key))]


def _numbered(plain: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for gram in plain:
        repeat = seen.get(gram, 0)
        seen[gram] = repeat + 1
        out.append(gram if repeat == 0 else f"{gram}{repeat}")
    return out


def delete_hashes(token: str) -> set[int]:
    """crc32 of `token` and of each string made by deleting one of its characters."""
    variants = {token[:i] + token[i + 1 :] for i in range(len(token))}
    variants.add(token)
    return {zlib.crc32(v.encode("utf-8")) for v in variants}
