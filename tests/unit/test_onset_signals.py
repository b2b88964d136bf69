"""The Weibull shape test on times to onset, against scipy's fit, and end to end on the
embedded store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import weibull_min

from kg.load import load
from kg.onset_signals import onset_days, onset_signals, weibull_shape
from kg.store import open_store
from pvkg.app.reporting import write_report
from pvkg.records import ONSET, ExtractorInfo, Span, Triple
from tests.conftest import Cli


@pytest.mark.parametrize("shape", [0.5, 1.0, 2.5])
def test_the_shape_is_the_maximum_likelihood_one_with_an_interval(shape: float) -> None:
    x = weibull_min.rvs(shape, scale=20, size=300, random_state=np.random.default_rng(5))
    k, lo, hi, scale = weibull_shape(list(x))
    expected_k, _, expected_scale = weibull_min.fit(x, floc=0)
    assert k == pytest.approx(expected_k, rel=1e-3)
    assert scale == pytest.approx(expected_scale, rel=1e-3)
    assert lo < shape < hi and (hi < 1 or lo > 1) == (shape != 1.0)


def test_iso_durations_become_days() -> None:
    assert [onset_days(v) for v in ("P4W", "PT48H", "P1.5Y", "P3D", "PXM", "P2D/P4D")] == [
        28.0, 2.0, 547.875, 3.0, None, None]  # fmt: skip


def triple(note: str, days: int) -> Triple:
    text = f"Rash {days} days after aspirin."
    return Triple(
        note_id=note,
        drug=Span(text="aspirin", start=text.index("aspirin"), end=text.index("aspirin") + 7),
        adverse_event=Span(text="Rash", start=0, end=4, attributes={ONSET: f"P{days}D"}),
        extractor=ExtractorInfo(name="rules", version="test"),
    )


def test_early_onsets_are_flagged_from_the_store(tmp_path: Path, cli: Cli) -> None:
    store = open_store(tmp_path / "graph")
    try:
        load(store, [triple(f"n{i}", d) for i, d in enumerate([1, 1, 1, 2, 1, 3, 1, 40, 1, 2])])
        (found,) = onset_signals(store)
    finally:
        store.close()
    assert (found.drug, found.event, found.reports) == ("aspirin", "Rash", 10)
    assert found.flagged and found.pattern == "early" and found.median_days == 1.0
    ran = cli("onset", "--store", tmp_path / "graph", "-o", tmp_path / "onset.csv")
    assert ran.exit_code == 0, ran.stderr
    rows = (tmp_path / "onset.csv").read_text().splitlines()
    assert rows[0].startswith("drug,event,reports") and rows[1].endswith(",early,True")
    refused = cli("onset", "--store", tmp_path / "graph", "--min-reports", "2")
    assert refused.exit_code != 0 and "at least 3 onset times" in refused.stderr
    signals = cli("signals", "--store", tmp_path / "graph", "--method", "prr,weibull",
                  "-o", tmp_path / "signals.csv")  # fmt: skip
    assert signals.exit_code == 0, signals.stderr
    header, row = (tmp_path / "signals.csv").read_text().splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["onset_reports"] == "10" and float(values["weibull_hi"]) < 1
    assert values["eb05"] == ""  # not asked for
    page = write_report(tmp_path / "graph", tmp_path / "report.html").output.read_text()
    section = page[page.index('<section id="onset">') :]
    assert "<td>aspirin</td><td>Rash</td><td>10</td><td>1</td>" in section
    assert section.count('class="m-ror"') == 10 and "<title>40 days</title>" in section
