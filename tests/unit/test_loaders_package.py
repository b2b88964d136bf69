from __future__ import annotations

import subprocess
import sys

import pytest

import loaders
from loaders import notes, rrf
from tests.conftest import ROOT


def test_every_public_name_resolves_to_its_module_s_object() -> None:
    assert [name for name in loaders.__all__ if not hasattr(loaders, name)] == []
    assert loaders.read_notes is notes.read_notes and loaders.AtomFilter is rrf.AtomFilter
    assert loaders.brat.__name__ == "loaders.brat"
    with pytest.raises(AttributeError, match="no attribute 'fail'"):
        _ = loaders.fail


def test_importing_the_terminology_readers_leaves_the_record_models_out() -> None:
    script = "import sys, loaders, loaders.rrf; print('pvkg.records' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert result.stdout.strip() == "False"
