"""The phenotype's LLM judge against a real OpenAI-compatible server on 127.0.0.1: the
retrieved sentences go out numbered, the verdict comes back as JSON, cited numbers are
grounded, invalid replies get one correction, answers are cached, and no note text goes to
a remote server unless allowed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from extract.llm import LLMOptions
from extract.phenotype import PhenotypeOptions
from pvkg.app.phenotyping import run_phenotype
from pvkg.errors import ConfigError
from tests.conftest import FIXTURES
from tests.integration.openai_server import Json, Reply, Responder, ScriptedServer

pytestmark = pytest.mark.integration
HERE = FIXTURES / "phenotype"


def numbered(request: Json) -> dict[int, str]:
    user = request["messages"][1]["content"]
    return {int(n): text for n, text in re.findall(r"^\[(\d+)\] (.*)$", user, re.M)}


def reading_responder(request: Json) -> Reply:
    """Met when a sentence holds a term without "no" or "history of" before it; cites it,
    and also cites a sentence number that was never sent."""
    cited = [n for n, text in numbered(request).items()
             if not re.search(r"\b(no|history of)\b", text, re.I)]  # fmt: skip
    reply = {"reasoning": "checked each sentence", "met": bool(cited), "evidence": [*cited, 99]}
    return Reply(json.dumps(reply))


def options(
    server: ScriptedServer, tmp_path: Path, umls_dir: Path, **llm: object
) -> PhenotypeOptions:
    return PhenotypeOptions(terminology=umls_dir, judge="llm", llm=LLMOptions(
        llm_url=server.url, model="judge", cache_dir=tmp_path / "cache", **llm))  # type: ignore[arg-type]  # fmt: skip


def test_the_llm_decides_from_retrieved_sentences_with_grounded_evidence(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path, umls_dir: Path
) -> None:
    server = serve(reading_responder)
    chosen = options(server, tmp_path, umls_dir)
    summary, results = run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"],
                                     tmp_path / "out", chosen)  # fmt: skip
    by_patient = {r.patient: r for r in results}
    assert by_patient["p1"].met and by_patient["n6"].met
    assert not by_patient["p2"].met and not by_patient["p3"].met
    # p1's two melena sentences are in separate notes: both were sent and both cited.
    assert by_patient["p1"].criteria["gi_bleed"].episodes == 2
    asked = len(server.requests)
    assert summary.llm_asks == asked and summary.llm_ungrounded == asked  # every "99"
    assert all(r["messages"][0]["role"] == "system" for r in server.requests)
    first = server.requests[0]
    assert first["response_format"]["json_schema"]["name"] == "criterion_check"
    # A second run is answered from the cache: no new request.
    run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"], tmp_path / "out", chosen)
    assert len(server.requests) == asked


def test_an_invalid_reply_is_corrected_once_then_counts_as_not_met(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path, umls_dir: Path
) -> None:
    server = serve(lambda request: Reply("I think so"))
    summary, results = run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"],
                                     tmp_path / "out", options(server, tmp_path, umls_dir,
                                                               use_cache=False))  # fmt: skip
    assert summary.llm_failed == summary.llm_asks > 0
    assert len(server.requests) == 2 * summary.llm_asks  # the question and one correction
    assert not any(r.met for r in results)


def test_note_text_goes_to_a_remote_server_only_when_allowed(
    tmp_path: Path, umls_dir: Path
) -> None:
    llm = LLMOptions(llm_url="https://203.0.113.7/v1", model="m")
    remote = PhenotypeOptions(terminology=umls_dir, judge="llm", llm=llm)
    with pytest.raises(ConfigError) as refused:
        run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"], tmp_path, remote)
    assert refused.value.hint == (
        "turn on `LLMOptions.allow_remote` to send note text to 203.0.113.7"
    )
