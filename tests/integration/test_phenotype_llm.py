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


def test_the_sentence_index_adds_sentences_near_the_criterion_by_meaning(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path
) -> None:
    from pvkg.app.phenotyping import index_notes

    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        json.dumps({"id": "a1", "text": "Her serum transaminases rose tenfold on isoniazid. "
                    "She likes gardening.", "metadata": {"subject_id": "p1"}}) + "\n"
        + json.dumps({"id": "b1", "text": "Hepatitis was ruled out.",
                      "metadata": {"subject_id": "p2"}}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    criteria = tmp_path / "liver.yaml"
    criteria.write_text("id: liver\nname: Liver injury\ncriteria:\n  - id: liver\n"
                        "    description: drug-induced liver injury (raised liver enzymes)\n"
                        "    terms: [hepatitis]\nlogic: liver\n", encoding="utf-8")  # fmt: skip
    index_notes([notes], tmp_path / "ix")

    def liver_responder(request: Json) -> Reply:
        cited = [n for n, text in numbered(request).items() if "transaminases" in text]
        return Reply(json.dumps({"reasoning": "-", "met": bool(cited), "evidence": cited}))

    server = serve(liver_responder)
    llm = LLMOptions(llm_url=server.url, model="judge", use_cache=False)
    chosen = PhenotypeOptions(judge="llm", llm=llm, sentence_index=str(tmp_path / "ix"), top_k=1)
    _, results = run_phenotype(criteria, [notes], tmp_path / "out", chosen)
    by_patient = {r.patient: r for r in results}
    evidence = by_patient["p1"].criteria["liver"].evidence
    assert by_patient["p1"].met and [e.quote for e in evidence] == [
        "Her serum transaminases rose tenfold on isoniazid."]  # fmt: skip
    assert not by_patient["p2"].met  # asked with its term sentence, which the model rejects
    sent = [numbered(r) for r in server.requests]
    assert {"She likes gardening."} & {t for s in sent for t in s.values()} == set()  # top_k 1


def test_phase_two_asks_the_llm_to_verify_and_counts_disagreements(
    serve: Callable[[Responder], ScriptedServer], tmp_path: Path, umls_dir: Path
) -> None:
    def contrary(request: Json) -> Reply:
        user = request["messages"][1]["content"]
        assert "Definition: all of (nsaid, skin)" in user
        skin = next(line for line in user.splitlines() if line.startswith("- skin"))
        return Reply(json.dumps({"reasoning": "-", "met": skin.endswith("not met")}))

    server = serve(contrary)
    llm = LLMOptions(llm_url=server.url, model="verifier", use_cache=False)
    chosen = PhenotypeOptions(terminology=umls_dir, verify=True, llm=llm)
    summary, results = run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"],
                                     tmp_path / "out", chosen)  # fmt: skip
    # The verifier says "met" exactly where skin was not met: it disagrees on every patient.
    assert len(server.requests) == len(results) == 4
    assert summary.llm_disagreements == 4
    assert all(r.verified is not r.met for r in results)
    assert {r.patient: r.met for r in results} == {
        "n6": True,
        "p1": True,
        "p2": False,
        "p3": False,
    }  # the logic's answer stays
