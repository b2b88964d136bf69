"""Schwartz & Hearst abbreviation definitions on PubMed-style case-report sentences."""

from __future__ import annotations

import pytest

from extract.abbreviations import Definition, abbreviations, expansion_of


def pairs(text: str) -> list[tuple[str, str]]:
    return [(d.short_form, d.long_form) for d in abbreviations(text).definitions]


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        (
            "Hepatotoxicity associated with valproic acid (VPA) in a child.",
            "VPA",
            "valproic acid",
        ),
        (
            "Pneumonitis after trimethoprim-sulfamethoxazole (TMP-SMX) for cystitis.",
            "TMP-SMX",
            "trimethoprim-sulfamethoxazole",
        ),
        (
            "Agranulocytosis during treatment with propylthiouracil (PTU) for Graves disease.",
            "PTU",
            "propylthiouracil",
        ),
        ("Depression is common during interferon (IFN) therapy.", "IFN", "interferon"),
        (
            "Cerebellar dysfunction after 5-fluorouracil (5-FU) and levamisole.",
            "5-FU",
            "5-fluorouracil",
        ),
        (
            "A rash developed on carbamazepine (CBZ; 400 mg/day).",
            "CBZ",
            "carbamazepine",
        ),
        (
            "TMP-SMX (trimethoprim-sulfamethoxazole) was stopped.",
            "TMP-SMX",
            "trimethoprim-sulfamethoxazole",
        ),
        (
            "Treatment with G-CSF (granulocyte colony-stimulating factor) was begun.",
            "G-CSF",
            "granulocyte colony-stimulating factor",
        ),
    ],
)
def test_definitions_are_found_in_either_order(text: str, short: str, long: str) -> None:
    [definition] = abbreviations(text).definitions
    assert (definition.short_form, definition.long_form) == (short, long)
    begin, end = definition.short_start, definition.short_end
    assert text[begin:end] == short
    assert text[definition.long_start : definition.long_end] == long


@pytest.mark.parametrize(
    "text",
    [
        "Twelve patients (n = 12) were given amiodarone.",
        "The findings are summarised in the text (see Table 1).",
        "She was given lamotrigine (10 mg/day) and developed a rash.",
        "Five patients (42%) developed neutropenia.",
        "Hepatitis developed (Fig. 2) after halothane.",
        "He received heparin (a) and warfarin (b).",
        "Fever appeared after clozapine (CLZ had been started a week before).",
    ],
)
def test_parentheses_that_define_nothing(text: str) -> None:
    assert pairs(text) == []


def test_the_long_form_stops_at_the_word_limit_and_the_sentence_end() -> None:
    # min(|SF| + 5, 2|SF|) = 4 words for a two-letter short form: "cyclophosphamide" is 5 back.
    assert pairs("Cyclophosphamide was then given with the PTU (CY) regimen.") == []
    assert pairs("He took clozapine. Zinc (CZ) was added.") == []
    assert pairs("He took clozapine, zinc (CZ) was added.") == [("CZ", "clozapine, zinc")]


def test_later_occurrences_are_whole_words_with_their_long_form() -> None:
    text = (
        "Methotrexate (MTX) is used for RA; lymphoma arose in MTX-treated patients, "
        "and MTXs or AMTX are other words."
    )
    found = abbreviations(text)
    assert [(text[o.start : o.end], o.start, o.long_form) for o in found.occurrences] == [
        ("MTX", text.index("MTX-"), "Methotrexate")
    ]
    assert [o.start for o in found.short_forms] == [14, text.index("MTX-")]
    assert [o.start for o in found.within(15, len(text))] == [text.index("MTX-")]


def test_a_short_form_defined_twice_stands_for_the_nearest_definition() -> None:
    text = (
        "Cyclophosphamide (CP) was given; CP was stopped. Later cisplatin (CP) was used; "
        "CP caused nausea."
    )
    long_forms = [o.long_form for o in abbreviations(text).occurrences]
    assert long_forms == ["Cyclophosphamide", "cisplatin"]


def test_expansion_of_a_span() -> None:
    text = "Interstitial nephritis after propylthiouracil (PTU); PTU was stopped."
    later = text.rindex("PTU")
    assert expansion_of(text, later, later + 3) == "propylthiouracil"
    defining = text.index("PTU")
    assert expansion_of(text, defining, defining + 3) == "propylthiouracil"
    assert expansion_of(text, later, later + 2) is None  # not the whole short form
    assert expansion_of(text, later, later + 7) is None  # more than it
    assert expansion_of(text, 0, 12) is None
    assert expansion_of("PTU was stopped.", 0, 3) is None  # never defined


def test_occurrences_before_the_definition_do_not_count() -> None:
    text = "PTU hepatitis: a case of propylthiouracil (PTU) hepatotoxicity."
    assert abbreviations(text).occurrences == ()
    assert expansion_of(text, 0, 3) is None


def test_definitions_are_plain_values() -> None:
    [definition] = abbreviations("Rash on valproic acid (VPA).").definitions
    assert definition == Definition("VPA", "valproic acid", 23, 26, 8, 21)
