"""The LLM extractor against a real OpenAI-compatible HTTP server on 127.0.0.1.

The server runs in a thread of the test and answers from a script (invalid JSON, spans not
in the note, 400/429/503, a reply slower than the client's timeout, a connection closed
without a reply), then from a responder that quotes the known drugs and events it finds
in the note text of the request.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extract.llm import LLMOptions, build_llm_extractor
from extract.llm.extractor import LLMExtractor
from pvkg.errors import ExtractionError
from pvkg.records import Note
from tests.conftest import FIXTURES
from tests.integration.openai_server import (
    Action,
    Delay,
    Drop,
    Json,
    Reply,
    Responder,
    ScriptedServer,
    Status,
)

pytestmark = pytest.mark.integration

KINDS = {"drug": "aspirin|ibuprofen|warfarin", "dose": "81 mg", "event": "rash|nausea|bleeding"}
NOTE = Note(id="n1", text="Seen today. Started aspirin 81 mg and developed a rash on day 3.")


def note_text(request: Json) -> str:
    """The note text of a request: what follows the template's last "Note:" line."""
    user = request["messages"][-1]["content"]
    if request["messages"][-1]["role"] == "user" and "Your reply was not valid" in user:
        user = request["messages"][1]["content"]
    return re.split(r"(?:Note|answer for):\n", user)[-1]


def quoting_responder(request: Json) -> Action:
    """Per sentence of the note text, each known drug with the sentence's dose and events,
    quoted as the text writes them; for the chain's first step, the mention lists."""
    found = [
        {kind: re.findall(rf"\b(?:{words})\b", sentence, re.I) for kind, words in KINDS.items()}
        for sentence in re.split(r"(?<=[.!?])\s+", note_text(request))
    ]
    if request.get("response_format", {}).get("json_schema", {}).get("name") == "mentions":
        lists = {k: [q for f in found for q in f[kind]] for k, kind in MENTION_LISTS.items()}
        return Reply(json.dumps(lists))
    triples = [
        {"drug": drug, "dose": next(iter(f["dose"]), None), "adverse_event": event}
        for f in found
        for drug in f["drug"]
        for event in f["event"] or [None]
    ]
    return Reply(json.dumps({"triples": [{**t, "assertion": "present"} for t in triples]}))


MENTION_LISTS = {"drugs": "drug", "doses": "dose", "adverse_events": "event"}


@pytest.fixture
def server(serve: Callable[[Responder], ScriptedServer]) -> ScriptedServer:
    return serve(quoting_responder)


def extractor(server: ScriptedServer, tmp_path: Path, **changes: Any) -> LLMExtractor:
    options = {
        "llm_url": server.url,
        "model": "scripted",
        "cache_dir": tmp_path / "cache",
        "backoff": 0.01,
        "timeout": 5.0,
        **changes,
    }
    return build_llm_extractor(LLMOptions(**options))


def triples_reply(*triples: tuple[str, str | None, str | None, str]) -> Reply:
    keys = ("drug", "dose", "adverse_event", "assertion")
    return Reply(json.dumps({"triples": [dict(zip(keys, t, strict=True)) for t in triples]}))


def test_triples_are_grounded_with_evidence_provenance_and_schema_output(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PVKG_TEST_LLM_KEY", "sk-local-test")
    result = extractor(server, tmp_path, api_key_env="PVKG_TEST_LLM_KEY").extract(NOTE)

    assert result.problems == ()
    [triple] = result.triples
    assert (triple.drug.text, triple.drug.start) == ("aspirin", NOTE.text.index("aspirin"))
    assert triple.dose is not None and triple.dose.text == "81 mg"
    assert triple.adverse_event is not None and triple.adverse_event.text == "rash"
    assert triple.evidence is not None
    assert triple.evidence.text == "Started aspirin 81 mg and developed a rash on day 3."
    triple.check_against(NOTE)
    assert triple.extractor.name == "llm:scripted"
    assert triple.extractor.prompt_version == "zero-shot/v1"
    assert {m.kind for m in result.mentions} == {"drug", "dose", "adverse_event"}
    assert (result.returned_spans, result.dropped_spans) == (3, 0)
    [request] = server.requests
    assert request["model"] == "scripted" and request["temperature"] == 0.0
    schema = request["response_format"]["json_schema"]
    assert schema["strict"] is True and schema["schema"]["required"] == ["triples"]
    assert server.headers[0]["Authorization"] == "Bearer sk-local-test"


def test_400_naming_response_format_steps_down_to_json_mode_then_plain(
    server: ScriptedServer, tmp_path: Path
) -> None:
    refusal = Status(400, {"error": {"message": "response_format is not supported", "code": "x"}})
    server.script.extend([refusal, refusal])
    llm = extractor(server, tmp_path)
    first = llm.extract(NOTE)
    second = llm.extract(NOTE.model_copy(update={"id": "n2", "text": "Took ibuprofen."}))

    assert len(first.triples) == len(second.triples) == 1
    formats = [r.get("response_format", {}).get("type") for r in server.requests]
    assert formats == ["json_schema", "json_object", None, None]


def test_invalid_json_gets_one_correction_then_becomes_a_problem(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path
) -> None:
    truncated = '{"triples": [{"drug": "aspirin",'

    def truncating(request: Json) -> Action:
        return Reply(truncated) if "aspirin" in note_text(request) else quoting_responder(request)

    server = serve(truncating)
    notes = [NOTE, Note(id="n2", text="Took ibuprofen, felt nausea.")]
    results = list(extractor(server, tmp_path).extract_many(notes))

    assert results[0].triples == () and len(results[0].problems) == 1
    assert results[0].problems[0].startswith("window 1/1: invalid model output after one")
    assert "aspirin" not in results[0].problems[0]
    [correction] = [r["messages"] for r in server.requests if len(r["messages"]) == 4]
    assert correction[-2] == {"role": "assistant", "content": truncated}
    assert "invalid JSON" in correction[-1]["content"]
    assert [t.drug.text for t in results[1].triples] == ["ibuprofen"]  # the run went on


def test_invalid_json_corrected_on_the_second_turn_counts_one_repair(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.script.append(Reply("Sure! Here are the triples."))
    llm = extractor(server, tmp_path)
    result = llm.extract(NOTE)

    assert result.problems == () and [t.drug.text for t in result.triples] == ["aspirin"]
    assert (llm.stats.requests, llm.stats.repairs, llm.stats.failed_replies) == (2, 1, 0)


def test_spans_not_in_the_note_are_dropped_and_counted(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.script.append(
        triples_reply(
            ("Aspirin", "81  MG", "hives", "present"),  # case/space-tolerant; invented event
            ("metformin", None, "rash", "negated"),  # invented drug: no triple
        )
    )
    llm = extractor(server, tmp_path)
    result = llm.extract(NOTE)

    [triple] = result.triples
    assert (triple.drug.text, triple.adverse_event) == ("aspirin", None)
    assert triple.dose is not None and triple.dose.text == "81 mg"
    assert (result.returned_spans, result.dropped_spans) == (5, 2)
    assert llm.stats.hallucinated_span_rate == pytest.approx(0.4)
    assert "rash" in {m.span.text for m in result.mentions}  # grounded, though its drug was not


def test_429_waits_for_retry_after_then_succeeds(server: ScriptedServer, tmp_path: Path) -> None:
    server.script.append(Status(429, {"error": {"code": "rate_limit"}}, (("Retry-After", "1"),)))
    llm = extractor(server, tmp_path)
    started = time.monotonic()
    result = llm.extract(NOTE)

    assert time.monotonic() - started >= 1.0
    assert len(result.triples) == 1 and llm.stats.retries == 1


def test_a_reply_slower_than_the_timeout_is_retried(server: ScriptedServer, tmp_path: Path) -> None:
    server.script.append(Delay(1.5, Reply('{"triples": []}')))
    llm = extractor(server, tmp_path, timeout=0.3)
    result = llm.extract(NOTE)

    assert [t.drug.text for t in result.triples] == ["aspirin"]
    assert llm.stats.retries == 1 and len(server.requests) == 2


def test_a_dropped_connection_is_retried(server: ScriptedServer, tmp_path: Path) -> None:
    server.script.append(Drop())
    llm = extractor(server, tmp_path)
    result = llm.extract(NOTE)

    assert [t.drug.text for t in result.triples] == ["aspirin"]
    assert llm.stats.retries == 1


def test_exhausted_retries_raise_extraction_error_without_note_text(
    server: ScriptedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.script.extend([Status(503)] * 3)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ExtractionError) as failure:
        extractor(server, tmp_path, retries=2).extract(NOTE)

    assert "503 after 2 retries" in str(failure.value)
    assert failure.value.hint and "re-run resumes" in failure.value.hint
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "retry 2" in logged
    for secret in ("aspirin", "rash", "Developed"):
        assert secret not in str(failure.value) and secret not in logged


def test_a_refused_key_names_the_environment_variable(
    server: ScriptedServer, tmp_path: Path
) -> None:
    error = {"message": "bad key, prompt was: aspirin", "code": "invalid_api_key"}
    server.script.append(Status(401, {"error": error}))
    with pytest.raises(ExtractionError) as failure:
        extractor(server, tmp_path, api_key_env="MY_LLM_KEY").extract(NOTE)

    assert str(failure.value).endswith("answered 401 (invalid_api_key)")
    assert failure.value.hint == "set $MY_LLM_KEY to a valid API key"
    assert "aspirin" not in str(failure.value)


def test_rerun_makes_no_calls_and_an_interrupted_run_resumes(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path
) -> None:
    down = {"Note 2"}

    def flaky(request: Json) -> Action:
        text = note_text(request)
        if "Note 0" in text:
            return Reply("no JSON here")  # a problem note: its replies are cached too
        return Status(500) if text[:6] in down else quoting_responder(request)

    server = serve(flaky)
    notes = [Note(id=f"n{i}", text=f"Note {i}: aspirin, then rash.") for i in range(4)]
    with pytest.raises(ExtractionError):
        list(extractor(server, tmp_path, retries=1).extract_many(notes))
    first = [note_text(r)[:6] for r in server.requests]
    answered = {text for text in first if text not in down}
    assert "Note 2" in first and {"Note 0", "Note 1"} <= answered

    down.clear()
    resumed = list(extractor(server, tmp_path).extract_many(notes))
    second = [note_text(r)[:6] for r in server.requests[len(first) :]]
    assert "Note 2" in second and not answered & set(second)
    assert resumed[0].problems and all(len(r.triples) == 1 for r in resumed[1:])

    again = extractor(server, tmp_path)
    assert list(again.extract_many(notes)) == resumed
    assert len(server.requests) == len(first) + len(second) and again.stats.requests == 0
    assert again.stats.cached == 5  # note 0's two turns and one request for each other note


def test_notes_run_concurrently_within_the_bound_and_return_in_order(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path
) -> None:
    def slow(request: Json) -> Action:
        time.sleep(0.02 if "odd" in note_text(request) else 0.1)
        return quoting_responder(request)

    server = serve(slow)
    kinds = ("even", "odd")
    notes = [Note(id=f"n{i}", text=f"{kinds[i % 2]} {i}: warfarin, bleeding.") for i in range(16)]
    llm = extractor(server, tmp_path, concurrency=4)
    results = list(llm.extract_many(iter(notes)))

    assert [r.note_id for r in results] == [n.id for n in notes]
    assert all(r.triples[0].drug.text == "warfarin" for r in results)
    assert server.max_in_flight == 4
    assert (llm.stats.prompt_tokens, llm.stats.completion_tokens) == (16 * 11, 16 * 7)


def test_long_notes_are_windowed_with_offsets_mapped_back_and_deduped(
    server: ScriptedServer, tmp_path: Path
) -> None:
    sentences = ["Intro.", "Took aspirin 81 mg daily.", "Warfarin gave bleeding.", "Then a rash."]
    note = Note(id="long", text=" ".join(sentences))
    result = extractor(server, tmp_path, window_chars=50, window_overlap=25).extract(note)

    windows = [r["messages"][1]["content"].split("Note:\n")[-1] for r in server.requests]
    # Windows are requested concurrently: their arrival order is not fixed.
    assert sorted(windows) == sorted(" ".join(sentences[i : i + 2]) for i in range(3))
    for triple in result.triples:
        triple.check_against(note)
    found = [
        (t.drug.text, t.adverse_event.text if t.adverse_event else None) for t in result.triples
    ]
    assert found == [("aspirin", None), ("Warfarin", "bleeding")]  # each seen in two windows


def test_chain_links_only_mentions_found_in_the_text(
    server: ScriptedServer, tmp_path: Path
) -> None:
    mentions = {"drugs": ["aspirin", "heparin"], "doses": ["81 mg"], "adverse_events": ["rash"]}
    server.script.append(Reply(json.dumps(mentions)))
    result = extractor(server, tmp_path, prompt="chain").extract(NOTE)

    relations = server.requests[1]["response_format"]["json_schema"]["schema"]
    drug = relations["properties"]["triples"]["items"]["properties"]["drug"]
    assert drug["enum"] == ["aspirin"]  # heparin is not in the note
    assert '"drugs": ["aspirin"]' in server.requests[1]["messages"][1]["content"]
    [triple] = result.triples
    assert triple.extractor.prompt_version == "chain/v1"
    assert (result.returned_spans, result.dropped_spans) == (4 + 3, 1)


def test_few_shot_sends_the_most_similar_examples(server: ScriptedServer, tmp_path: Path) -> None:
    examples = FIXTURES / "llm" / "examples.jsonl"
    note = Note(id="n9", text="Patient on warfarin 5 mg reports hematuria.")
    llm = extractor(server, tmp_path, prompt="few-shot", examples=examples, examples_k=2)
    result = llm.extract(note)

    prompt = server.requests[0]["messages"][1]["content"]
    shown = re.findall(r"Note:\n(.*)\n", prompt)
    assert len(shown) == 2 and shown[-1] == "Possible hematuria from warfarin 5 mg."
    assert result.triples[0].extractor.prompt_version == "few-shot/v1"
