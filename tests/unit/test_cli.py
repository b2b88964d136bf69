from __future__ import annotations

import subprocess
import sys

from pvkg import __version__
from tests.conftest import ROOT, Cli

GROUPS = [
    "terminology",
    "extract",
    "normalize",
    "load",
    "signals",
    "query",
    "export",
    "eval",
    "train",
    "run",
    "report",
]


def test_help_lists_every_command_group(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for group in GROUPS:
        assert f" {group} " in result.stdout, group


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pvkg {__version__}"


def test_terminology_link_without_an_index_says_so(cli: Cli) -> None:
    result = cli("terminology", "link", "-t", "no-such-index", "--kind", "drug", "rash")
    assert result.exit_code == 1
    assert "no-such-index: not a terminology index" in result.stderr
    assert "hint: build one with `pvkg terminology build" in result.stderr
    assert result.stdout == ""


def test_python_m_pvkg_is_the_cli_with_its_exit_codes() -> None:
    # The one test in a separate process: `python -m pvkg` (pvkg/__main__.py calls main(),
    # the console script's entry point) and a real exit status; the others use the `cli`
    # fixture in this process.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pvkg",
            "terminology",
            "link",
            "-t",
            "nowhere",
            "--kind",
            "drug",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={"COLUMNS": "200", "PATH": ""},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: nowhere: not a terminology index")
    assert result.stdout == ""
