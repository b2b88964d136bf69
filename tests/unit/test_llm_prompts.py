from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.llm.cache import Completion, ResponseCache, cache_key
from extract.llm.examples import Example, ExampleIndex, load_examples, render_examples
from extract.llm.prompting import load_prompt
from pvkg.errors import ConfigError, InputError
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "llm" / "examples.jsonl"


@pytest.mark.parametrize(
    ("name", "steps"),
    [("zero-shot", ("triples",)), ("few-shot", ("triples",)), ("chain", ("mentions", "triples"))],
)
def test_builtin_prompts_render_every_step_with_their_version(
    name: str, steps: tuple[str, ...]
) -> None:
    prompt = load_prompt(name, steps=steps)
    assert prompt.label == f"{name}/v1"
    for step in steps:
        system, user = prompt.render(step, text="NOTE $1 TEXT", examples="EX", mentions="M")
        assert system["role"] == "system" and "JSON" in system["content"]
        assert user["role"] == "user" and user["content"].endswith("NOTE $1 TEXT")


def test_a_template_with_an_unknown_placeholder_or_no_sections_is_a_config_error(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"version": "v7", "steps": {"triples": "a"}}))
    (folder / "a").write_text("[system]\nS\n[user]\n$text $oops\n")
    prompt = load_prompt("mine", tmp_path, steps=("triples",))
    assert prompt.label == "mine/v7"
    with pytest.raises(ConfigError, match="placeholder"):
        prompt.render("triples", text="x")
    (folder / "a").write_text("just a prompt $text")
    with pytest.raises(ConfigError, match=r"\[system\] section"):
        load_prompt("mine", tmp_path, steps=("triples",))
    with pytest.raises(ConfigError, match="no step mentions"):
        load_prompt("mine", tmp_path, steps=("mentions",))
    with pytest.raises(ConfigError, match="cannot read prompt manifest"):
        load_prompt("absent", tmp_path, steps=("triples",))


def test_examples_are_the_most_similar_gold_documents_never_the_note_itself() -> None:
    index = load_examples(EXAMPLES)
    chosen = index.similar("Possible hematuria on warfarin 5 mg.", 2)
    assert chosen[-1].note_id == "ex-warfarin"  # most similar last, nearest the question
    assert len(chosen) == 2
    text = "She denies rash on amoxicillin."
    assert "ex-amox" not in {e.note_id for e in index.similar(text, 5)}  # same text
    assert "ex-amox" not in {e.note_id for e in index.similar("rash", 5, exclude_id="ex-amox")}
    answer = json.loads(next(e for e in index.examples if e.note_id == "ex-amox").answer)
    assert answer == {
        "triples": [
            {"drug": "amoxicillin", "dose": None, "adverse_event": "rash", "assertion": "negated"}
        ]
    }


def test_similarity_ignores_case_and_spacing_and_renders_examples() -> None:
    index = ExampleIndex([Example("a", "Nausea  on METFORMIN", "{}"), Example("b", "fell", "{}")])
    assert [e.note_id for e in index.similar("nausea on metformin", 1)] == ["a"]
    assert index.similar("zzz", 3) == []
    rendered = render_examples(index.examples)
    assert rendered == "Note:\nNausea  on METFORMIN\nAnswer: {}\n\nNote:\nfell\nAnswer: {}"


def test_an_unreadable_or_empty_examples_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="no examples"):
        load_examples(empty)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"note": {"id": "x"}}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:1"):
        load_examples(bad)


def test_cache_persists_each_response_across_connections(tmp_path: Path) -> None:
    key = cache_key(model="m", prompt="zero-shot/v1", messages=[{"role": "user", "content": "é"}])
    assert key != cache_key(model="m", prompt="zero-shot/v2", messages=[])
    cache = ResponseCache(tmp_path / "c")
    assert cache.get(key) is None
    cache.put(key, Completion('{"triples": []}', 12, 3))
    reopened = ResponseCache(tmp_path / "c")  # committed: another connection sees it
    assert reopened.get(key) == Completion('{"triples": []}', 12, 3) and len(reopened) == 1
    cache.close()
    reopened.close()
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="cannot open the LLM response cache"):
        ResponseCache(tmp_path / "file" / "c")
