from __future__ import annotations

from pathlib import Path

import pytest

from extract.rules import Lexicon, learn_terms, read_terms
from extract.rules.tokens import TokenTrie, tokenize
from pvkg.errors import InputError
from pvkg.gold import GoldDocument, make_document
from pvkg.records import Mention, MentionKind, Note, Span

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"


def found(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    tokens = tokenize(text)
    return [
        (text[tokens.starts[m.first] : tokens.ends[m.stop - 1]], m.value)
        for m in lexicon.find(tokens)
    ]


def test_tokens_are_folded_words_with_offsets_into_the_text() -> None:
    text = "Pt on 5-FU; RASH."
    tokens = tokenize(text, 3, len(text))
    assert tokens.words == ["on", "5", "fu", ";", "rash"]
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == [
        "on",
        "5",
        "FU",
        ";",
        "RASH",
    ]


def test_longest_match_wins_and_matching_restarts_after_it() -> None:
    trie: TokenTrie[str] = TokenTrie()
    trie.add(["renal"], "short")
    trie.add(["renal", "failure"], "long")
    trie.add(["failure", "to", "thrive"], "other")
    matches = list(trie.scan(["acute", "renal", "failure", "to", "thrive"]))
    assert [(m.first, m.stop, m.value) for m in matches] == [(1, 3, "long")]


def test_matching_respects_word_boundaries_case_and_punctuation() -> None:
    lexicon = Lexicon([("rash", "adverse_event"), ("5-fluorouracil", "drug")])
    assert found(lexicon, "Rashes, then a RASH after 5 fluorouracil.") == [
        ("RASH", "adverse_event"),
        ("5 fluorouracil", "drug"),
    ]
    assert found(lexicon, "therash; 5-fluorouracils") == []


def test_first_source_wins_a_kind_conflict() -> None:
    lexicon = Lexicon([("overdose", "adverse_event")], [("overdose", "drug"), ("Aspirin", "drug")])
    assert len(lexicon) == 2
    assert lexicon.kind_of("OVERDOSE") == "adverse_event"
    assert not lexicon.add("aspirin", "drug")
    assert not lexicon.add("--", "drug")


def test_read_terms_skips_header_and_comments() -> None:
    terms = list(read_terms(FIXTURES / "terms.tsv"))
    assert ("vancomycin", "drug") in terms
    assert ("acute kidney injury", "adverse_event") in terms
    assert ("seizures", "adverse_event") in terms  # "adverse event" spelled with a space
    assert all(term != "term" and not term.startswith("#") for term, _ in terms)


def test_bad_term_lines_are_reported_with_file_and_line() -> None:
    errors: list[InputError] = []
    terms = list(read_terms(FIXTURES / "bad_terms.tsv", on_error=errors.append))
    assert terms == [("rash", "adverse_event"), ("aspirin", "drug")]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "expected 'term<TAB>kind'"),
        (3, "unknown kind 'symptom' (drug or adverse_event)"),
        (4, "term has no letters or digits"),
    ]
    with pytest.raises(InputError, match=r"bad_terms\.tsv:2"):
        list(read_terms(FIXTURES / "bad_terms.tsv"))


def _doc(note_id: str, text: str, marked: list[tuple[str, MentionKind]]) -> GoldDocument:
    mentions = []
    for phrase, kind in marked:
        start = text.index(phrase)
        span = Span(text=phrase, start=start, end=start + len(phrase))
        mentions.append(Mention(kind=kind, span=span))
    return make_document(Note(id=note_id, text=text), [], mentions)


def test_learned_terms_rank_by_count_and_drop_imprecise_ones() -> None:
    docs = [
        _doc("1", "Cough on lisinopril.", [("Cough", "adverse_event"), ("lisinopril", "drug")]),
        _doc("2", "Lisinopril cough again.", [("cough", "adverse_event"), ("Lisinopril", "drug")]),
        _doc("3", "Cough after captopril.", [("Cough", "adverse_event"), ("captopril", "drug")]),
        # "pain" is annotated once but appears unannotated three times: precision 1/4.
        _doc("4", "Pain on codeine.", [("Pain", "adverse_event"), ("codeine", "drug")]),
        _doc("5", "Pain, pain and pain.", []),
    ]
    learned = learn_terms(docs)
    assert learned[:2] == [("Cough", "adverse_event"), ("lisinopril", "drug")]
    assert {("captopril", "drug"), ("Pain", "adverse_event")} <= set(learned)
    precise = learn_terms(docs, min_precision=0.5)
    assert ("Pain", "adverse_event") not in precise
    assert ("captopril", "drug") in precise
    assert learn_terms(docs, min_count=2) == learned[:2]


def test_mentions_of_function_words_alone_are_not_learned() -> None:
    docs = [_doc("1", "A rash on a drug.", [("a", "drug"), ("rash", "adverse_event")])]
    assert learn_terms(docs) == [("rash", "adverse_event")]
