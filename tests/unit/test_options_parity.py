"""One options record per stage: the CLI's flags, `pvkg run` and the API take the same."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from extract.llm import LLMOptions
from extract.options import ExtractOptions
from extract.phenotype import PhenotypeOptions
from kg.options import SignalOptions, StoreOptions
from loaders.notes import NoteColumns
from pvkg.app import api
from pvkg.app.cli import app
from pvkg.app.commands.flags import from_options
from pvkg.app.reporting.options import ReportOptions
from pvkg.errors import ConfigError
from pvkg.options import flag_table, flags_of
from tests.conftest import Cli


def _command_flags(name: str) -> set[str]:
    command = typer.main.get_command(app)
    for part in name.split():
        command = command.commands[part]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts}


@pytest.mark.parametrize(("command", "left_out"), [("extract", set()), ("run", {"terminology"})])
def test_every_extraction_option_is_a_flag_of_extract_and_run(
    command: str, left_out: set[str]
) -> None:
    wanted = {
        flag for (_, name), flag in flag_table(ExtractOptions).items() if name not in left_out
    }
    assert len(wanted) == len(fields(ExtractOptions)) - 1 - len(left_out) + len(fields(LLMOptions))
    assert wanted <= _command_flags(command)
    if left_out:  # `pvkg run` matches the terms of its --index instead
        assert "--index" in _command_flags(command)


@pytest.mark.parametrize(
    ("command", "records"),
    [
        ("signals", (SignalOptions, StoreOptions)),
        ("report", (ReportOptions, StoreOptions)),
        ("run", (SignalOptions, StoreOptions, NoteColumns)),
        ("extract", (NoteColumns,)),
        ("phenotype run", (PhenotypeOptions, NoteColumns, StoreOptions)),
        ("load", (StoreOptions,)),
        ("query", (StoreOptions,)),
        ("export", (StoreOptions,)),
    ],
)
def test_every_graph_option_is_a_flag_of_each_command_that_takes_it(
    command: str, records: tuple[type[Any], ...]
) -> None:
    assert set(flag_table(*records).values()) <= _command_flags(command)


def test_the_api_and_the_cli_build_the_same_signal_options() -> None:
    seen: list[ReportOptions] = []
    probe = typer.Typer()

    @probe.command()
    @from_options("options", ReportOptions)
    def capture(options: ReportOptions) -> None:
        seen.append(options)

    flags = ["--method", "prr, ic", "--min-count", "3", "--mode", "causal", "--all-assertions",
             "--stratum", "sex", "--top", "5"]  # fmt: skip
    assert CliRunner().invoke(probe, flags).exit_code == 0
    signals = api._options(SignalOptions, None, {"methods": ["prr", "ic"], "min_count": 3,
                                                  "mode": "causal", "all_assertions": True,
                                                  "stratum": "sex"})  # fmt: skip
    assert seen == [ReportOptions(signals=signals, top=5)]
    with pytest.raises(ConfigError, match="unknown signal method"):
        SignalOptions(methods=("prr", "bayes"))


def test_the_cli_builds_the_record_the_api_builds_from_the_same_values(tmp_path: Path) -> None:
    seen: list[ExtractOptions] = []
    probe = typer.Typer()

    @probe.command()
    @from_options("options", ExtractOptions)
    def capture(options: ExtractOptions) -> None:
        seen.append(options)

    terms = tmp_path / "terms.tsv"
    flags = ["-e", "llm", "--terms", str(terms), "--no-suffixes", "--min-confidence", "0.5",
             "--llm-url", "http://127.0.0.1:9/v1", "--llm-model", "m", "--no-llm-cache",
             "--llm-timeout", "5", "--device", "cpu"]  # fmt: skip
    result = CliRunner().invoke(probe, flags)
    assert result.exit_code == 0, result.output
    expected = ExtractOptions(
        extractor="llm",
        terms=terms,
        morphology=False,
        min_confidence=0.5,
        device="cpu",
        llm=LLMOptions(llm_url="http://127.0.0.1:9/v1", model="m", use_cache=False, timeout=5),
    )
    assert seen == [expected]
    changes: dict[str, Any] = {"extractor": "llm", "terms": str(terms), "morphology": False,
                               "min_confidence": 0.5, "device": "cpu",
                               "llm": expected.llm}  # fmt: skip
    assert api._options(ExtractOptions, None, changes) == expected
    with pytest.raises(ConfigError, match="ExtractOptions has no option colour"):
        api._options(ExtractOptions, None, {"colour": "red"})


def test_every_option_has_help_and_a_long_flag() -> None:
    records = (ExtractOptions, LLMOptions, SignalOptions, StoreOptions, ReportOptions, NoteColumns)
    for record in records:
        for one in fields(record):
            assert one.metadata["help"], one.name
            assert any(flag.startswith("--") for flag in flags_of(one)), one.name


def _cli_error(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 2
    return result.stderr


def test_library_messages_name_options_and_the_cli_shows_them_as_flags(
    tmp_path: Path, cli: Cli
) -> None:
    notes, out = str(tmp_path), str(tmp_path / "t.jsonl")
    shown = _cli_error(cli, "extract", notes, "-o", out, "-e", "llm",
                       "--llm-concurrency", "0")  # fmt: skip
    assert "error: --llm-concurrency must be at least 1, not 0" in shown
    shown = _cli_error(cli, "extract", notes, "-o", out, "-e", "llm",
                       "--llm-url", "https://203.0.113.7/v1", "--llm-model", "m")  # fmt: skip
    assert "hint: turn on --allow-remote-llm to send note text to 203.0.113.7" in shown
    with pytest.raises(ConfigError) as raised:
        api.extract(notes, out, extractor="finetuned")
    assert raised.value.hint is not None and "`ExtractOptions.model_path`" in raised.value.hint
    shown = _cli_error(cli, "extract", notes, "-o", out, "-e", "finetuned")
    assert "hint: set --model-path to a folder written by `pvkg train`" in shown


def test_pvkgs_log_messages_reach_stderr_and_verbose_adds_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from pvkg.app.logs import configure_logging

    stats = logging.getLogger("extract.llm.extractor")
    configure_logging(0)
    stats.info("LLM extraction: 3 of 40 returned spans not in the note (7.5%)")
    stats.debug("window 2 of 3")
    logging.getLogger("httpx").info("HTTP Request: POST ...")
    shown = capsys.readouterr().err
    assert "3 of 40 returned spans not in the note" in shown
    assert "window 2 of 3" not in shown and "HTTP Request" not in shown
    configure_logging(1)
    stats.debug("window 2 of 3")
    assert "window 2 of 3" in capsys.readouterr().err
    configure_logging(0)


@pytest.mark.parametrize("stage", ["kg", "extract", "loaders"])
def test_each_stage_names_its_public_api_and_every_name_resolves(stage: str) -> None:
    import importlib

    package = importlib.import_module(stage)
    assert package.__doc__ and package.__all__
    for name in package.__all__:
        assert getattr(package, name) is not None, name
