"""Normalized lookup keys: one key for the many ways a term is written.

A key is the sorted set of folded tokens: case, accents, punctuation and hyphens, plural
and simple inflection (-s, -es, -ies, -ing, -ed), British spellings and word order do not
change it. Every fold step reaches a fixpoint, so `normalize_key` is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2019`]")
# The same split for ASCII text, a few times faster than the regex: every byte but a letter
# or digit made a space (apostrophes are deleted first), capitals lower-cased (ASCII
# case-folding) in the same pass.
_ASCII_WORDS = bytes(
    ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else 32 for c in range(256)
)
# Words that carry no meaning for linking ("Hypotension, NOS" is hypotension).
STOP_WORDS = frozenset(
    {"a", "an", "and", "by", "for", "in", "nos", "of", "on", "or", "the", "to", "with", "w"}
)
# British -> American spellings common in medical text, applied inside tokens.
SPELLINGS = (
    ("sulph", "sulf"),
    ("haem", "hem"),
    ("aem", "em"),
    ("oedem", "edem"),
    ("oesoph", "esoph"),
    ("oestr", "estr"),
    ("rrhoe", "rrhe"),
    ("foet", "fet"),
    ("coeli", "celi"),
    ("paed", "ped"),
    ("isation", "ization"),
    ("aluminium", "aluminum"),
    ("tumour", "tumor"),
    ("colour", "color"),
    ("behaviour", "behavior"),
    ("odour", "odor"),
    ("litre", "liter"),
    ("centre", "center"),
    ("fibre", "fiber"),
)
# Most tokens hold none of them: one regex search skips the replacement loop.
_BRITISH = re.compile("|".join(british for british, _ in SPELLINGS))
# Every British spelling above holds one of these; few first letters make this search about
# twice as fast as `_BRITISH`'s on tokens with neither.
MAYBE_BRITISH = re.compile("ae|oe|ph|our|tre|bre|isation|aluminium")
_MIN_STEM = 4
_MIN_PLURAL = 4


def _american(token: str) -> str:
    if MAYBE_BRITISH.search(token) is None or _BRITISH.search(token) is None:
        return token
    for british, american in SPELLINGS:
        if british in token:
            token = token.replace(british, american)
    return token


def _stem(token: str) -> str:
    # Every suffix removed below ends in s, d or g: one test passes most tokens through.
    if len(token) < _MIN_PLURAL or token[-1] not in "sdg" or token.isdigit():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes", "zes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    for suffix in ("ing", "ed"):
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=1 << 18)
def fold_token(token: str) -> str:
    """One lower-cased token with American spelling and its inflection removed (a fixpoint)."""
    while True:
        folded = _stem(_american(token))
        if folded == token:
            return token
        token = folded


def _fold_case(text: str) -> str:
    text = text.casefold()
    if text.isascii():
        return text
    # Case-folding can add combining marks and NFKD can add capitals: fold both ways.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> list[str]:
    if not text.isascii():
        text = _fold_case(text)
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS, b"'`").decode("ascii").split()
    if "'" in text or "\u2019" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    return _TOKEN.findall(text)


def tokens(text: str) -> list[str]:
    """Folded, meaningful tokens of `text` in their original order."""
    return [f for t in _words(text) if (f := fold_token(t)) not in STOP_WORDS]


def normalize_key(text: str) -> str:
    """The lookup key of `text`: its distinct folded tokens, sorted, joined by spaces."""
    if text.isascii():  # `_words`' ASCII path, inlined: linking calls this per mention
        words = text.encode("ascii").translate(_ASCII_WORDS, b"'`").decode("ascii").split()
    else:
        words = _words(text)
    folded = set(map(fold_token, words))
    if not STOP_WORDS.isdisjoint(folded):
        folded -= STOP_WORDS
    return " ".join(sorted(folded))
