from __future__ import annotations

import subprocess
import sys

from pvkg import __version__

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


def pvkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pvkg", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"COLUMNS": "200", "PATH": ""},
    )


def test_help_lists_every_command_group() -> None:
    result = pvkg("--help")
    assert result.returncode == 0
    for group in GROUPS:
        assert f" {group} " in result.stdout, group


def test_version() -> None:
    result = pvkg("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pvkg {__version__}"


def test_terminology_link_without_an_index_says_so() -> None:
    result = pvkg("terminology", "link", "-t", "no-such-index", "--kind", "drug", "rash")
    assert result.returncode == 1
    assert "no-such-index: not a terminology index" in result.stderr
    assert "hint: build one with `pvkg terminology build" in result.stderr
    assert result.stdout == ""
