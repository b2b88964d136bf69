"""`pvkg assertion`: ConText axes for mentions found by any tool, bad lines reported."""

from __future__ import annotations

import json
from pathlib import Path

from extract.assertion import MentionAsserter
from pvkg.records import Span
from tests.conftest import FIXTURES, Cli

HERE = FIXTURES / "assertion"
AXES = ("negated", "speculated", "historical", "hypothetical", "family")


def on(*axes: str) -> dict[str, bool]:
    return {axis: axis in axes for axis in AXES}


def test_each_mention_gets_its_label_and_axes(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "asserted.jsonl"
    ran = cli("assertion", HERE / "notes.jsonl", "--mentions", HERE / "mentions.jsonl",
              "-o", out)  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [list(r) for r in rows[:1]] == [["note_id", "kind", "span", "assertion", "context"]]
    assert rows[0]["span"] == {"text": "rash", "start": 3, "end": 7}
    got = {r["span"]["text"]: (r["assertion"], r["context"]) for r in rows}
    assert got == {
        "rash": ("negated", on("negated")),
        "itching": ("negated", on("negated")),
        "hepatitis B": ("historical", on("historical")),
        "fever": ("speculated", on("hypothetical")),
        "lupus": ("family", on("family")),
        "drug reaction": ("speculated", on("speculated")),
        "nausea": ("present", on()),
        "vomiting": ("negated", on("negated")),
    }
    # Four bad lines, each located, none stopping the run or reaching the output.
    for where in ("mentions.jsonl:9: note 'a9' is not among the notes given",
                  "mentions.jsonl:10: span 3:7 is 'rash' in the note, not 'rush'",
                  "mentions.jsonl:11: invalid MentionToAssert: kind: Field required",
                  "mentions.jsonl:12: invalid JSON"):  # fmt: skip
        assert where in ran.stderr
    assert "8 mentions in 2 notes" in ran.stderr and "negated 3" in ran.stderr


def test_a_span_is_placed_by_its_offsets_and_its_own_words_trigger_nothing() -> None:
    text = "No acute distress. The patient reports no acute distress today."
    asserter = MentionAsserter()
    second = text.index("no acute distress")
    mention = Span(text="acute distress", start=second + 3, end=second + 17)
    assert asserter.assert_span(text, mention)[0] == "negated"
    whole = Span(text="no acute distress", start=second, end=second + 17)
    assert asserter.assert_span(text, whole) == ("present", asserter.assert_span(text, whole)[1])
    assert not any(dict(asserter.assert_span(text, whole)[1]).values())
    comma = Span(text=".", start=17, end=18)
    assert asserter.assert_span(text, comma)[0] == "present"


def test_history_sections_reach_down_a_list_and_recent_ends_a_history() -> None:
    asserter = MentionAsserter()

    def historical(text: str, word: str) -> bool:
        start = text.index(word)
        span = Span(text=word, start=start, end=start + len(word))
        return asserter.assert_span(text, span)[1].historical

    listed = ("PAST MEDICAL HISTORY: hypertension, diabetes, gout, asthma, reflux, obesity, "
              "anemia, migraine, glaucoma and depression.")  # fmt: skip
    assert historical(listed, "depression")
    recent = "History of asthma with recent wheezing."
    assert historical(recent, "asthma") and not historical(recent, "wheezing")
    assert historical("Status post liver transplant.", "liver transplant")
    # A two-day history is the present illness, not the past.
    assert not historical("She has a two-day history of fever.", "fever")


def test_family_history_is_history_too_and_old_findings_are_old() -> None:
    asserter = MentionAsserter()

    def axes(text: str, word: str) -> dict[str, bool]:
        start = text.index(word)
        return dict(asserter.assert_span(text, Span(text=word, start=start,
                                                    end=start + len(word)))[1])  # fmt: skip

    family = axes("Family history of colon cancer.", "colon cancer")
    assert family["family"] and family["historical"]
    assert axes("An old rib fracture is seen.", "rib fracture")["historical"]
    assert not axes("A 45-year-old man with a rib fracture.", "man")["historical"]
    assert axes("Given his coronary artery disease history, we admitted him.",
                "coronary artery disease")["historical"]  # fmt: skip
