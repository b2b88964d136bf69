"""`normalize`'s public names: each one loads from its module, and only on first use."""

from __future__ import annotations

import subprocess
import sys

import normalize
from tests.conftest import ROOT


def test_every_public_name_resolves_from_its_module() -> None:
    assert sorted(normalize.__all__) == sorted(normalize._MODULE_OF)
    for name in normalize.__all__:
        assert getattr(normalize, name) is not None


def test_dose_parsing_loads_no_index_code() -> None:
    script = (
        "import sys; from normalize import parse_dose; parse_dose('5 mg bid'); "
        "print(sorted({'numpy', 'rich', 'sqlite3', 'quickumls'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
