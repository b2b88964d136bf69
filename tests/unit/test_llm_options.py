from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from extract.llm import LLMOptions, build_llm_extractor
from extract.llm.factory import build_backend
from extract.llm.privacy import check_endpoint, is_loopback
from extract.llm.retry import backoff_delay, parse_retry_after
from extract.llm.streaming import ordered
from pvkg.errors import ConfigError
from pvkg.options import flag_table
from tests.conftest import FIXTURES


def test_every_option_names_its_flag_and_says_what_it_does() -> None:
    for option in fields(LLMOptions):
        assert str(option.metadata["flag"]).startswith("--")
        assert option.metadata["help"]
    assert flag_table(LLMOptions)[("LLMOptions", "allow_remote")] == "--allow-remote-llm"
    with pytest.raises(FrozenInstanceError):
        LLMOptions().model = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"concurrency": 0}, "`LLMOptions.concurrency` must be at least 1"),
        ({"retries": -1}, "`LLMOptions.retries` must be at least 0"),
        ({"timeout": 0}, "`LLMOptions.timeout` must be positive"),
        ({"prompt": "one-shot"}, "`LLMOptions.prompt` must be one of zero-shot, few-shot, chain"),
        ({"response_format": "xml"}, "`LLMOptions.response_format` must be one of"),
        ({"prompt": "few-shot"}, "the few-shot prompt needs examples"),
    ],
)
def test_bad_options_are_config_errors(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        LLMOptions(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_local(host: str) -> None:
    assert is_loopback(host)


def test_remote_and_unresolvable_hosts_are_not_local() -> None:
    assert not is_loopback("10.0.0.1") and not is_loopback("2001:db8::1")
    assert not is_loopback("no-such-host.invalid")


def test_note_text_goes_to_a_remote_server_only_when_allowed() -> None:
    with pytest.raises(ConfigError) as refused:
        build_llm_extractor(LLMOptions(llm_url="https://203.0.113.7/v1", model="m"))
    assert refused.value.hint == (
        "turn on `LLMOptions.allow_remote` to send note text to 203.0.113.7"
    )
    check_endpoint("https://203.0.113.7/v1", allow_remote=True)
    check_endpoint("http://[::1]:8080/v1", allow_remote=False)
    with pytest.raises(ConfigError, match="http"):
        check_endpoint("ftp://127.0.0.1/v1", allow_remote=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "no LLM to extract with"),
        ({"llm_url": "http://127.0.0.1:9/v1"}, "`LLMOptions.llm_url` needs `LLMOptions.model`"),
        (
            {"llm_url": "http://127.0.0.1:9/v1", "model": "m", "model_path": Path("m")},
            "not both",
        ),
        ({"model_path": Path("/nonexistent/model")}, "cannot load a causal LM"),
    ],
)
def test_backend_choice_errors(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_backend(LLMOptions(**changes))  # type: ignore[arg-type]


def test_the_factory_builds_a_server_extractor_with_its_prompt(tmp_path: Path) -> None:
    options = LLMOptions(
        llm_url="http://localhost:9/v1",
        model="m",
        prompt="few-shot",
        examples=FIXTURES / "llm" / "examples.jsonl",
        cache_dir=tmp_path,
    )
    extractor = build_llm_extractor(options)
    assert extractor.info.name == "llm:m" and extractor.info.prompt_version == "few-shot/v1"
    assert (tmp_path / "responses.sqlite3").is_file()
    extractor.close()


def test_retry_after_is_honoured_and_backoff_grows_with_jitter() -> None:
    assert parse_retry_after("2") == 2.0 and parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 < (parse_retry_after(later) or 0) <= 30
    assert backoff_delay(0, 1.0, "3") == 3.0 and backoff_delay(0, 1.0, "9999") == 60.0
    delays = [backoff_delay(attempt, 1.0) for attempt in range(4) for _ in range(20)]
    for attempt in range(4):
        batch = delays[attempt * 20 : (attempt + 1) * 20]
        assert all(2**attempt / 2 <= d <= 2**attempt for d in batch) and len(set(batch)) > 1


def test_ordered_keeps_input_order_and_takes_only_lookahead_items_ahead() -> None:
    taken: list[int] = []

    def source() -> Iterator[int]:
        for i in range(6):
            taken.append(i)
            yield i

    async def work(i: int) -> int:
        await asyncio.sleep(0.01 * (5 - i))  # later items finish first
        return i * 10

    loop = asyncio.new_event_loop()
    try:
        stream = ordered(loop, source(), work, lookahead=2)
        assert next(stream) == 0 and taken == [0, 1]
        assert list(stream) == [10, 20, 30, 40, 50]
    finally:
        loop.close()
