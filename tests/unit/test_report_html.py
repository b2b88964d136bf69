"""The report's HTML builders: escaping, marks at stored offsets, sort values, plots."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kg.disproportionality import PairCounts, Signal, compute_signals
from kg.ebgm import Prior
from kg.evidence import Mention, PairEvidence, TripleEvidence
from kg.options import CountOptions
from pvkg.app.reporting import ReportOptions, write_report
from pvkg.app.reporting.assets import SCRIPT, STYLE, csp_hash
from pvkg.app.reporting.format import shown, sortable
from pvkg.app.reporting.model import ReportData, Row, flags, ranked
from pvkg.app.reporting.page import render
from pvkg.app.reporting.plots import effect_plot, forest_plot
from pvkg.app.reporting.sections import evidence_section, highlight
from pvkg.app.reporting.svg import log_scale
from pvkg.app.reporting.table import signal_table
from pvkg.errors import ConfigError

NOTE = 'Seen today. Took <i>Augmentin</i> 875 mg & got a "rash".'


def mention(text: str, occurrence: int = 0) -> Mention:
    start = -1
    for _ in range(occurrence + 1):
        start = NOTE.index(text, start + 1)
    return Mention(text, start, start + len(text))


SENTENCE = mention('Took <i>Augmentin</i> 875 mg & got a "rash".')


def test_marks_sit_at_offsets_relative_to_the_sentence_and_text_is_escaped() -> None:
    marks = [
        ("drug", mention("Augmentin")),
        ("event", mention("rash")),
        ("dose", mention("875 mg")),
    ]
    html, missed = highlight(SENTENCE, marks)
    assert missed == []
    assert html == (
        'Took &lt;i&gt;<mark class="drug">Augmentin</mark>&lt;/i&gt; <mark class="dose">875 mg'
        '</mark> &amp; got a &quot;<mark class="event">rash</mark>&quot;.'
    )


def test_marks_that_do_not_fit_the_sentence_are_reported_not_guessed() -> None:
    outside = mention("Seen")  # before the sentence starts
    wrong = Mention("rash", SENTENCE.start + 5, SENTENCE.start + 9)  # offsets point elsewhere
    overlapping = Mention("Augmentin</i>", mention("Augmentin").start, mention("Augmentin").end + 4)
    html, missed = highlight(
        SENTENCE,
        [("drug", mention("Augmentin")), ("event", wrong), ("dose", outside),
         ("extra", overlapping)],
    )  # fmt: skip
    assert sorted(missed) == ["dose", "event", "extra"]
    assert html.count("<mark") == 1
    assert "rash" in html and '<mark class="event">' not in html


def test_an_offset_exactly_at_the_sentence_end_is_kept() -> None:
    end = Mention('"rash".', SENTENCE.end - 7, SENTENCE.end)
    html, missed = highlight(SENTENCE, [("event", end)])
    assert missed == []
    assert html.endswith('<mark class="event">&quot;rash&quot;.</mark>')


def test_numbers_show_three_digits_and_sort_as_javascript_numbers() -> None:
    assert [shown(v) for v in (None, math.nan, math.inf, 0.012345, 42, 999.7, 12345.6)] == [
        "–", "n/a", "∞", "0.0123", "42", "1,000", "12,346",
    ]  # fmt: skip
    assert [sortable(v) for v in (None, math.nan, math.inf, -math.inf, 7, 0.1234567891)] == [
        "", "", "Infinity", "-Infinity", "7", "0.123457",
    ]  # fmt: skip


def signal(drug: str, event: str, a: int, **measures: Any) -> Signal:
    return Signal(drug=drug, event=event, a=a, b=1, c=2, d=90, expected=0.5, **measures)


def test_table_escapes_names_and_carries_sort_values_and_flags() -> None:
    evans = signal('<img src=x onerror="alert(1)">', "rash & itch", 5, prr=math.inf,
                   prr_lo=math.nan, prr_hi=math.nan, chi2=12.0, eb05=1.2)  # fmt: skip
    quiet = signal("aspirin", "nausea", 1, prr=1.5, prr_lo=0.5, prr_hi=4.5, chi2=0.1, eb05=2.5)
    rows = [Row(evans, flags(evans), anchor="signal-1"), Row(quiet, flags(quiet))]
    html = signal_table(rows, ["prr", "ebgm"], sorted_by="eb05")
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "rash &amp; itch" in html
    assert '<a href="#signal-1">' in html
    headers = re.findall(r'<th scope="col" data-col="(\w+)" data-type="(\w+)"', html)
    assert headers[:3] == [("drug", "text"), ("event", "text"), ("a", "num")]
    assert [name for name, _ in headers][7:] == ["prr", "prr_lo", "chi2", "ebgm", "eb05",
                                                 "eb95", "flags"]  # fmt: skip
    assert 'data-col="eb05" data-type="num" aria-sort="descending"' in html
    first, second = html.split("<tr class=")[1:]
    assert first.startswith('"signal evans"')
    assert '<td data-v="Infinity">∞</td><td data-v="">n/a</td>' in first
    assert '<span class="badge evans">Evans</span>' in first
    assert second.startswith('"signal eb05"')
    assert '<td data-v="0.5">0.5–4.5</td>' in second
    assert "ror" not in re.findall(r'data-col="(\w+)"', html)


def test_flags_follow_the_evans_criteria_and_eb05() -> None:
    assert flags(signal("d", "e", 3, prr=2.0, chi2=4.0)).evans
    assert not flags(signal("d", "e", 2, prr=9.0, chi2=40.0)).evans
    assert not flags(signal("d", "e", 9, prr=math.nan, chi2=40.0)).any
    assert flags(signal("d", "e", 1, eb05=2.0)).eb05
    assert not flags(signal("d", "e", 1)).any  # no method run: no flag


def test_rows_rank_by_eb05_then_a() -> None:
    signals = [signal("x", "1", 9, eb05=1.0), signal("y", "2", 2, eb05=3.0),
               signal("z", "3", 5, eb05=math.nan), signal("w", "4", 4, eb05=1.0)]  # fmt: skip
    assert [r.signal.drug for r in ranked(signals, by_eb05=True)] == ["y", "x", "w", "z"]
    assert [r.signal.drug for r in ranked(signals, by_eb05=False)] == ["x", "z", "w", "y"]


def triple(assertion: str = "present", sentence: Mention | None = SENTENCE) -> TripleEvidence:
    return TripleEvidence(
        report_id="note<7>", assertion=assertion, extractor="rules 0.2", confidence=0.8,
        drug=mention("Augmentin"), event=mention("rash"), dose=None, sentence=sentence,
    )  # fmt: skip


def test_evidence_section_lists_triples_with_provenance_and_caps_them() -> None:
    s = signal("amoxicillin", "Exanthema", 3, prr=4.0, prr_lo=1.5, prr_hi=9.0, chi2=8.0)
    row = Row(s, flags(s), anchor="signal-2")
    evidence = PairEvidence(
        (triple(), triple(sentence=None), triple("negated")), {"note": 3, "faers": 2}
    )
    html = evidence_section(row, evidence, limit=2)
    assert html.startswith('<section class="pair" id="signal-2">')
    assert "note <code>note&lt;7&gt;</code>" in html
    assert html.count('<li class="counted">') == 2
    assert "negated" not in html  # beyond the limit
    assert "1 more triple not shown" in html
    assert "no evidence sentence stored" in html
    assert '<blockquote class="no-sentence"><mark class="drug">Augmentin</mark>' in html
    assert "3 extracted triples in 1 note · also 2 structured reports (faers 2)" in html
    assert "PRR 4 (95% CI 1.5–9)" in html


def test_pairs_without_triples_say_where_their_reports_came_from() -> None:
    s = signal("PREVAGEN", "CHOKING", 4)
    structured = evidence_section(Row(s, flags(s), "a"), PairEvidence((), {"faers": 4}), 10)
    assert "structured reports only: 4 structured reports (faers 4)" in structured
    mixed = evidence_section(Row(s, flags(s), "b"), PairEvidence((), {"note": 2, "faers": 1}), 10)
    assert "co-reported in 2 notes, but no extracted triple links this drug" in mixed
    assert "1 structured report (faers 1)" in mixed


def test_log_scale_spans_values_at_nice_ends() -> None:
    scale = log_scale([0.37, 13.0, math.inf, math.nan, 0.0], 0, 100)
    assert (scale.lo, scale.hi) == (0.2, 20.0)
    assert scale.ticks() == [0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
    assert scale(0.2) == 0 and scale(20.0) == pytest.approx(100)


def scored() -> list[Signal]:
    pairs = [PairCounts(f"drug{i}", f"event{j}", a=(i * j) % 7 + 1, n_drug=40, n_event=30,
                        n_reports=500) for i in range(4) for j in range(5)]  # fmt: skip
    pairs.append(PairCounts("<b>bold</b>", "event0", a=6, n_drug=6, n_event=40, n_reports=500))
    # Too few pairs to fit a prior: score EBGM with openEBGM's CAERS prior.
    return compute_signals(pairs, prior=Prior(3.25379356, 0.39988854, 2.02612692, 1.9080797,
                                              0.06534557))  # fmt: skip


def test_plots_draw_finite_estimates_and_name_the_rest() -> None:
    rows = ranked(scored(), by_eb05=True)
    forest = forest_plot(rows[:5], ["prr", "ror"])
    assert forest.count("<rect") + forest.count('class="m-ror"') >= 5
    assert "&lt;b&gt;bold&lt;/b&gt; — event0" in forest and "<b>" not in forest
    assert "a = 6 · ROR ∞" in forest  # b = 0 for the bold drug: no finite ROR to draw
    effect = effect_plot(rows, ["prr", "ic"])
    assert effect.count('class="pt ') == len(rows) + 4  # every pair, and the legend's four
    assert re.search(
        r"<title>drug\d — event\d: a = \d+, E = [\d.]+, IC -?[\d.]+, EB05 [\d.]+</title>", effect
    )


def report_data(rows: list[Row], evidence: list[tuple[Row, PairEvidence]]) -> ReportData:
    return ReportData(
        store="graph</title><script>x()</script>", created=datetime(2025, 1, 2, tzinfo=UTC),
        version="0.1.0", methods=("prr", "ror", "ic", "ebgm"), counting=CountOptions(),
        min_count=1, top=5, reports_by_source={"note": 3, "faers": 500}, pairs_counted=30,
        rows=rows, evidence=evidence, sentences_per_signal=10,
    )  # fmt: skip


def test_page_is_self_contained_and_allows_only_its_own_script_and_style() -> None:
    rows = ranked(scored(), by_eb05=True)
    page = render(report_data(rows, []))
    assert f"script-src {csp_hash(SCRIPT)}; style-src {csp_hash(STYLE)}" in page
    assert page.count("<script>") == 1
    assert "<title>pvkg signal report — graph&lt;/title&gt;&lt;script&gt;x()" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "Counts are unique reports" in page
    assert "503 (faers 500, note 3)" in page
    assert "Evans SJW" in page and "DuMouchel W" in page and "Norén GN" in page


def test_invalid_options_fail_before_touching_a_store(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="top must be at least 1"):
        write_report(tmp_path / "graph", tmp_path / "r.html", ReportOptions(top=0))
    assert not (tmp_path / "graph").exists()
