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
# Words that carry no meaning for linking ("Hypotension, NOS" is hypotension).
STOP_WORDS = frozenset(
    {"a", "an", "and", "by", "for", "in", "nos", "of", "on", "or", "the", "to", "with", "w"}
)
# British -> American spellings common in medical text, applied inside tokens.
_SPELLINGS = (
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
_BRITISH = re.compile("|".join(british for british, _ in _SPELLINGS))
_MIN_STEM = 4
_MIN_PLURAL = 4


def _american(token: str) -> str:
    if _BRITISH.search(token) is None:
        return token
    for british, american in _SPELLINGS:
        if british in token:
            token = token.replace(british, american)
    return token


def _stem(token: str) -> str:
    if len(token) < _MIN_PLURAL or token.isdigit():
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


def tokens(text: str) -> list[str]:
    """Folded, meaningful tokens of `text` in their original order."""
    text = _fold_case(text)
    if "'" in text or "\u2019" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    return [f for t in _TOKEN.findall(text) if (f := fold_token(t)) not in STOP_WORDS]


def normalize_key(text: str) -> str:
    """The lookup key of `text`: its distinct folded tokens, sorted, joined by spaces."""
    return " ".join(sorted(set(tokens(text))))
