"""A foreign package named like a stage is found at start-up, with a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pvkg.stages import check_stage_packages


def test_pvkgs_own_stage_packages_pass() -> None:
    check_stage_packages()


def _started(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: the shadowing folder must come first on sys.path before any import.
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_a_folder_named_like_a_stage_in_the_working_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "__init__.py").write_text("KNOWLEDGE = 'graph'\n", encoding="utf-8")
    cli = _started("import sys; sys.argv = ['pvkg', '--help']; import pvkg.__main__", tmp_path)
    assert cli.returncode == 2
    assert cli.stderr.startswith("error: the package 'kg' imported here is not pvkg's")
    assert str(tmp_path / "kg" / "__init__.py") in cli.stderr and "Traceback" not in cli.stderr
    api = _started("import pvkg; pvkg.run", tmp_path)
    assert "ConfigError: the package 'kg' imported here is not pvkg's" in api.stderr
