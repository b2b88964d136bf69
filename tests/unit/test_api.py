from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = """
import pvkg, sys
out = sys.argv[1]
pvkg.build_index("examples/terminology", out + "/index")
print(pvkg.link(out + "/index", "Coumadin", kind="drug").ingredient_rxcui)
runs, finished = pvkg.run(["examples/notes"], index=out + "/index", output=out,
                          store=out + "/graph")
print(runs[0].notes, finished.pairs > 0)
top = pvkg.signals(out + "/graph", methods=["prr"], min_count=3)
print(sorted((s.drug, s.event) for s in top)[:1])
print(pvkg.report(out + "/graph", out + "/r.html").reports)
"""


def test_the_readme_api_runs_the_demo(tmp_path: Path) -> None:
    # A fresh interpreter: importing stages must not shadow the API's function names.
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['11289']",
        "30 True",
        "[('amoxicillin', 'Exanthema')]",
        "30",
    ]
