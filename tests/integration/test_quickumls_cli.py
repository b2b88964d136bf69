"""`pvkg terminology build/link --backend quickumls` in a fresh process with no way out to
the network: QuickUMLS must find its stopwords and tokenizer without downloading."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.integration
pytest.importorskip("quickumls")


def test_cli_builds_and_links_without_network(tmp_path: Path) -> None:
    """A fresh HOME (no NLTK data), no spaCy model installed, and every proxy pointing at a
    closed port: a download attempt would fail, and with it the command."""
    dead = "http://127.0.0.1:9"
    env = {
        **{k: v for k, v in os.environ.items() if k != "NLTK_DATA"},
        "HOME": str(tmp_path),
        "http_proxy": dead,
        "https_proxy": dead,
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "PYTHONPATH": str(ROOT),
    }

    # A separate process, not the `cli` fixture: NLTK fixes its data path from HOME when it is
    # first imported, and spaCy and QuickUMLS keep what they loaded, so only a fresh
    # interpreter shows what a first run on a bare machine would try to download.
    def terminology(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pvkg", "terminology", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )

    out = tmp_path / "qu"
    built = terminology("build", str(FIXTURES / "umls"), "-o", str(out), "--backend", "quickumls")
    assert built.returncode == 0, built.stderr
    assert built.stdout == ""  # the installer's progress goes to stderr
    linked = terminology(
        "link", "-t", str(out), "--backend", "quickumls", "--kind", "adverse_event", "hypotension"
    )
    assert linked.returncode == 0, linked.stderr
    assert json.loads(linked.stdout)["cui"] == "C0020649"  # hypotension
    assert not (tmp_path / "nltk_data").exists()  # nothing was downloaded
