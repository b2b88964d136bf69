"""`pvkg assertion`: the ConText axes of mentions found by any tool, one output line per
input mention. A line that is not a mention, names a note not given, or whose span is not
the note's text there is reported (file, line, reason) and left out; the rest go on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extract.assertion import MentionAsserter
from extract.rules.context import load_context_rules
from loaders.notes import NoteColumns, read_notes
from pvkg.errors import InputError
from pvkg.jsonl import read_jsonl_numbered
from pvkg.problems import ErrorHandler, report
from pvkg.records import AssertedMention, MentionToAssert


@dataclass
class AssertionSummary:
    notes: int = 0
    mentions: int = 0
    by_assertion: Counter[str] = field(default_factory=Counter)


def assert_mentions(
    notes: Sequence[str | Path],
    mentions: str | Path,
    output: str | Path,
    columns: NoteColumns = NoteColumns(),
    *,
    rules: str | Path | None = None,
    on_error: ErrorHandler | None = None,
) -> AssertionSummary:
    """Write each mention of `mentions` (JSONL of `MentionToAssert`) with its assertion
    label and ConText axes to `output` (JSONL of `AssertedMention`); `rules` replaces the
    packaged ConText rules file."""
    summary = AssertionSummary()
    texts: dict[str, str] = {}
    for path in notes:
        for note in read_notes(path, on_error=on_error, id_field=columns.id_field,
                               text_field=columns.text_field):  # fmt: skip
            texts[note.id] = note.text
    summary.notes = len(texts)
    asserter = MentionAsserter(load_context_rules(rules))
    with Path(output).open("w", encoding="utf-8") as out:
        for line, mention in read_jsonl_numbered(mentions, MentionToAssert, on_error=on_error):
            text = texts.get(mention.note_id)
            try:
                if text is None:
                    raise ValueError(f"note {mention.note_id!r} is not among the notes given")
                mention.span.check_against(text)
            except ValueError as exc:
                report(InputError(str(exc), file=mentions, line=line), on_error)
                continue
            assertion, axes = asserter.assert_span(text, mention.span)
            asserted = AssertedMention(**dict(mention), assertion=assertion, context=axes)
            out.write(_line(asserted))
            summary.mentions += 1
            summary.by_assertion[assertion] += 1
    return summary


def _line(mention: AssertedMention) -> str:
    """The record as JSON, the span without an empty attributes object."""
    data = mention.model_dump(mode="json")
    if not data["span"]["attributes"]:
        del data["span"]["attributes"]
    return json.dumps(data, ensure_ascii=False) + "\n"
