"""Normalization keys and edit distance, checked over generated variants."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from normalize._common.keys import (
    MAYBE_BRITISH,
    SPELLINGS,
    STOP_WORDS,
    fold_token,
    normalize_key,
    tokens,
)
from normalize._common.ngram_layout import delete_hashes, grams
from normalize._query.edit import edit_similarity, one_edit, osa_distance
from normalize._query.trigrams import cosine

TERMS = [
    "Hypotension",
    "Skin rash",
    "Acetaminophen 325 MG Oral Tablet",
    "Non-Hodgkin lymphoma",
    "Crohn's disease",
    "Low blood pressure",
    "Diarrhoea",
    "Béta-alanine",
    "Leukaemia, acute myeloid",
    "İstanbul ǰ ß ﬁbre",
]


def _variants(text: str, rng: random.Random) -> list[str]:
    """Case, punctuation, whitespace and word-order variants of `text`."""
    words = text.split()
    out = [text.upper(), text.lower(), text.title(), f"  {text}. ", text.replace(" ", " - ")]
    out += [", ".join(p) for p in itertools.islice(itertools.permutations(words), 6)]
    out += ["".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text) for _ in range(5)]
    out += [";".join(words) + "!", "(" + " ".join(words) + ")"]
    return out


def test_case_punctuation_and_word_order_do_not_change_the_key() -> None:
    rng = random.Random(0)
    for term in TERMS[:-1]:
        key = normalize_key(term)
        for variant in _variants(term, rng):
            assert normalize_key(variant) == key, (term, variant)


def test_key_is_idempotent_on_generated_strings() -> None:
    rng = random.Random(1)
    alphabet = "abcdeéioquṣßİǰﬁ-',. ()/0123456789ASHOE"
    samples = TERMS + ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(3000)]
    for text in samples:
        key = normalize_key(text)
        assert normalize_key(key) == key, text


def test_ascii_split_equals_the_unicode_word_regex() -> None:
    """ASCII text is split by a byte table, the rest by the regex: both split alike."""
    rng = random.Random(5)
    alphabet = "abzAZ09 _-',.;`()/\t\n!@#"
    word = re.compile(r"[^\W_]+")
    for _ in range(3000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 25)))
        folded = [fold_token(t) for t in word.findall(re.sub("['`]", "", text.casefold()))]
        assert tokens(text) == [t for t in folded if t not in STOP_WORDS], text
        assert tokens(text + "é") == tokens(text + "e"), text  # the regex path


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("rashes", "rash"),
        ("allergies", "allergy"),
        ("vomiting", "vomited"),
        ("anaemia", "anemia"),
        ("haemorrhage", "hemorrhage"),
        ("oedema of legs", "leg edema"),
        ("tumour", "tumor"),
        ("Hypotension, NOS", "hypotension"),
        ("aluminium sulphate", "aluminum sulfate"),
        ("paediatric", "pediatric"),
    ],
)
def test_inflection_and_british_spelling_fold_together(a: str, b: str) -> None:
    assert normalize_key(a) == normalize_key(b)


def test_every_british_spelling_passes_the_quick_check() -> None:
    assert all(MAYBE_BRITISH.search(british) for british, _ in SPELLINGS)


@pytest.mark.parametrize(("a", "b"), [("hypotension", "hypertension"), ("red", "bed")])
def test_different_terms_keep_different_keys(a: str, b: str) -> None:
    assert normalize_key(a) != normalize_key(b)


def _reference_osa(a: str, b: str) -> int:
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_bit_parallel_osa_equals_the_dynamic_program() -> None:
    rng = random.Random(2)
    for _ in range(3000):
        a = "".join(rng.choices("abcd", k=rng.randint(0, 10)))
        b = "".join(rng.choices("abcd", k=rng.randint(0, 10)))
        assert osa_distance(a, b) == _reference_osa(a, b), (a, b)
    long_a = "x" * 70 + "ab"
    assert osa_distance(long_a, "x" * 70 + "ba") == 1


def test_transposition_beats_other_edits_where_trigrams_tie() -> None:
    assert osa_distance("hypotensoin", "hypotension") == 1
    assert edit_similarity("hypotensoin", "hypotension") > edit_similarity(
        "hypotensoin", "hypertension"
    )
    assert cosine("hypotensoin", "hypotension") > cosine("hypotensoin", "hypertension")


def test_grams_count_equals_length_even_with_repeats() -> None:
    for word in ["a", "banana", "aaaa", "hypotension"]:
        assert len(grams(word)) == len(word)
        assert len(set(grams(word))) == len(word)


def test_cosine_counts_repeated_trigrams_as_numbered_grams() -> None:
    """`cosine` skips numbering repeats; it must equal the cosine of the numbered sets."""
    rng = random.Random(5)
    for _ in range(5000):
        a, b = ("".join(rng.choices("ab n", k=rng.randint(0, 12))) for _ in range(2))
        ga, gb = set(grams(a)), set(grams(b))
        expected = len(ga & gb) / (len(ga) * len(gb)) ** 0.5 if ga and gb else 0.0
        assert cosine(a, b) == pytest.approx(expected, abs=1e-12)


def test_one_edit_is_osa_distance_one() -> None:
    rng = random.Random(4)
    for _ in range(5000):
        a = "".join(rng.choices("abc", k=rng.randint(0, 7)))
        b = "".join(rng.choices("abc", k=rng.randint(0, 7)))
        assert one_edit(a, b) == (_reference_osa(a, b) == 1), (a, b)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("hypotensoin", "hypotension"),
        ("asprin", "aspirin"),
        ("nausia", "nausea"),
        ("rashs", "rash"),
    ],
)
def test_one_edit_apart_share_a_deletion(typo: str, word: str) -> None:
    assert delete_hashes(typo) & delete_hashes(word)
