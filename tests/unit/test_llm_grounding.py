from __future__ import annotations

import pytest

from extract.llm.grounding import ground, occurrences
from extract.llm.schema import (
    MentionsReply,
    ReplyError,
    TriplesReply,
    parse_reply,
    triples_schema,
)

TEXT = "Rash after aspirin.\nLater  aspirin 81 mg gave a RASH and\nnausea."
SECOND_ASPIRIN, RASH = TEXT.rindex("aspirin"), TEXT.index("RASH")


def test_exact_occurrences_win_over_tolerant_ones() -> None:
    assert occurrences(TEXT, "aspirin") == [(11, 18), (SECOND_ASPIRIN, SECOND_ASPIRIN + 7)]
    assert occurrences(TEXT, "rash") == [(0, 4), (RASH, RASH + 4)]  # no exact one: any case
    assert occurrences(TEXT, "RASH") == [(RASH, RASH + 4)]
    assert occurrences(TEXT, " RASH and nausea ") == [(RASH, RASH + 15)]  # newline for a space
    assert occurrences(TEXT, "ibuprofen") == [] and occurrences(TEXT, "  ") == []


def test_each_span_takes_the_occurrence_nearest_its_triple() -> None:
    grounded = ground(TEXT, "aspirin", "81 mg", "rash")
    assert grounded.drug is not None and grounded.drug.start == SECOND_ASPIRIN
    assert grounded.adverse_event is not None and grounded.adverse_event.start == RASH
    assert grounded.adverse_event.text == "RASH"  # the note's own characters
    assert grounded.dose is not None and TEXT[grounded.dose.start : grounded.dose.end] == "81 mg"
    assert (grounded.returned, grounded.dropped) == (3, 0)
    first = ground(TEXT, "aspirin", None, "Rash")
    assert first.drug is not None and first.drug.start == 11  # beside the first "Rash"


def test_quotes_not_in_the_text_are_dropped_and_counted() -> None:
    grounded = ground(TEXT, "metformin", "5 mg", "nausea")
    assert (grounded.drug, grounded.dose) == (None, None)
    assert grounded.adverse_event is not None and grounded.adverse_event.text == "nausea"
    assert (grounded.returned, grounded.dropped) == (3, 2)


def test_replies_parse_leniently_and_fail_without_quoting_the_reply() -> None:
    fenced = '```json\n{"triples": [{"drug": "x", "dose": " ", "assertion": "Negated"}]}\n```'
    [triple] = parse_reply(fenced, TriplesReply).triples
    assert (triple.dose, triple.adverse_event, triple.assertion) == (None, None, "negated")
    assert parse_reply('{"drugs": ["x"]}', MentionsReply).doses == ()
    with pytest.raises(ReplyError, match="invalid JSON: Expecting value at line 1 column 1"):
        parse_reply("secret-drug", TriplesReply)
    with pytest.raises(ReplyError) as failure:
        parse_reply('{"triples": [{"drug": "secret-drug", "assertion": "maybe"}]}', TriplesReply)
    assert "triples.0.assertion" in str(failure.value)
    assert "secret-drug" not in str(failure.value) and "maybe" not in str(failure.value)


def test_relation_schema_admits_only_listed_mentions() -> None:
    schema = triples_schema(["aspirin", "aspirin"], [], ["rash"])
    item = schema["properties"]["triples"]["items"]
    assert item["properties"]["drug"] == {"type": "string", "enum": ["aspirin"]}
    assert item["properties"]["dose"] == {"type": "null"}
    assert item["properties"]["adverse_event"]["anyOf"][0]["enum"] == ["rash"]
    assert item["required"] == ["drug", "dose", "adverse_event", "assertion"]
