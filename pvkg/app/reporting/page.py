"""The whole page: header facts, signal table, plots, evidence sections and method citations,
one HTML file with nothing to fetch."""

from __future__ import annotations

from html import escape

from pvkg.app.reporting.assets import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from pvkg.app.reporting.cohorts import cohort_section
from pvkg.app.reporting.model import ReportData
from pvkg.app.reporting.onset import onset_section
from pvkg.app.reporting.plots import effect_plot, forest_plot
from pvkg.app.reporting.sections import evidence_section
from pvkg.app.reporting.table import signal_table

CITATIONS = (
    "PRR and the Evans criteria: Evans SJW, Waller PC, Davis S. Use of proportional reporting "
    "ratios (PRRs) for signal generation from spontaneous adverse drug reaction reports. "
    "Pharmacoepidemiol Drug Saf. 2001;10(6):483–486.",
    "ROR: van Puijenbroek EP, Bate A, Leufkens HGM, et al. A comparison of measures of "
    "disproportionality for signal detection in spontaneous reporting systems for adverse "
    "drug reactions. Pharmacoepidemiol Drug Saf. 2002;11(1):3–10.",
    "EBGM, EB05, EB95 (gamma-Poisson shrinker): DuMouchel W. Bayesian data mining in large "
    "frequency tables, with an application to the FDA spontaneous reporting system. Am Stat. "
    "1999;53(3):177–190. EB05 ≥ 2 as a threshold: Szarfman A, Machado SG, O'Neill RT. Drug "
    "Saf. 2002;25(6):381–392.",
    "IC and IC025: Norén GN, Bate A, Orre R, Edwards IR. Extending the methods used to screen "
    "the WHO drug safety database towards analysis of complex associations and improved "
    "accuracy for rare events. Stat Med. 2006;25(21):3740–3757.",
)


def _counting(data: ReportData) -> str:
    options = data.counting
    if options.mode == "causal":
        unit = "a report counts a pair when an extracted triple in it links the drug to the event"
    else:
        unit = "a report counts a pair when it names both the drug and the event"
    assertions = (
        "negated, speculated and family-history findings counted too"
        if options.all_assertions
        else "negated, speculated and family-history findings not counted"
    )
    stratum = f"; expected counts stratified by {options.stratum}" if options.stratum else ""
    return (
        f"Counts are unique reports: {unit}, once however often it repeats them; "
        f"{assertions}{stratum}."
    )


def _facts(data: ReportData) -> str:
    sources = ", ".join(f"{escape(s)} {n}" for s, n in sorted(data.reports_by_source.items()))
    evans = sum(row.flags.evans for row in data.rows)
    eb05 = sum(row.flags.eb05 for row in data.rows)
    facts = (
        ("store", escape(data.store)),
        ("created", data.created.strftime("%Y-%m-%d %H:%M UTC") + f" by pvkg {data.version}"),
        ("reports", f"{data.reports}" + (f" ({sources})" if sources else "")),
        ("pairs", f"{len(data.rows)} with a ≥ {data.min_count}, of {data.pairs_counted} counted"),
        ("signals", f"{data.signals}: {evans} by the Evans criteria, {eb05} with EB05 ≥ 2"),
        ("methods", escape(", ".join(data.methods)) + f"; {escape(data.counting.mode)} pairs"),
    )
    items = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts)
    return f'<dl class="facts">{items}</dl>'


def _table_section(data: ReportData) -> str:
    sorted_by = "eb05" if "ebgm" in data.methods else "a"
    total = len(data.rows)
    return (
        '<section id="table"><h2>Signal table</h2>'
        '<div class="controls"><label>Filter <input type="search" id="filter" '
        'placeholder="drug or event name"></label>'
        '<label><input type="checkbox" id="only-signals"> signals only</label>'
        f'<span><span id="shown">{total}</span> of {total} pairs shown</span></div>'
        f'<div class="table-wrap">{signal_table(data.rows, data.methods, sorted_by)}</div>'
        '<p class="note">Highlighted rows meet the Evans criteria (PRR ≥ 2, χ² ≥ 4, a ≥ 3) '
        "or have EB05 ≥ 2. Click a column header to sort. n/a: a zero cell leaves the "
        "measure undefined; ∞: its denominator is zero.</p></section>"
    )


def _plots_section(data: ReportData) -> str:
    if not data.rows:
        return ""
    top = data.rows[: data.top]
    # EBGM is empty when too few pairs were counted to fit its prior: rows are then by a.
    scored = any(row.signal.eb05 is not None for row in data.rows)
    ranking = "EB05" if "ebgm" in data.methods and scored else "a"
    plots = [
        f'<section id="effect"><h2>Effect size against evidence</h2>'
        f"<figure>{effect_plot(data.rows, data.methods)}</figure>"
        '<p class="note">One point per pair; hover a point for its numbers.</p></section>'
    ]
    if {"prr", "ror", "ror_exact"} & set(data.methods):
        plots.insert(
            0,
            f'<section id="forest"><h2>Top {len(top)} pairs by {ranking}: PRR and ROR with '
            f"95% confidence intervals</h2><figure>{forest_plot(top, data.methods)}</figure>"
            '<p class="note">Solid line: ratio 1 (no disproportionality); dashed: 2.</p>'
            "</section>",
        )
    return "".join(plots)


def _evidence_section(data: ReportData) -> str:
    head = '<section id="evidence"><h2>Evidence behind the signals</h2>'
    if not data.evidence:
        return f'{head}<p class="note">No pair meets a signal criterion.</p></section>'
    shown = (
        f"the top {len(data.evidence)} of {data.signals} signals (raise --top for more)"
        if len(data.evidence) < data.signals
        else f"all {data.signals} signals"
    )
    legend = (
        f'<p class="note">For {shown}: the sentences of the extracted triples linking the drug '
        'to the event, with the <mark class="drug">drug</mark>, the <mark class="event">event'
        '</mark> and the <mark class="dose">dose</mark> marked at their stored offsets; '
        "findings signals do not count (negated, speculated, family history) are greyed.</p>"
    )
    sections = "\n".join(
        evidence_section(row, evidence, data.sentences_per_signal)
        for row, evidence in data.evidence
    )
    return f"{head}{legend}{sections}</section>"


def _footer() -> str:
    items = "".join(f"<li>{escape(citation)}</li>" for citation in CITATIONS)
    return (
        "<footer><h2>Methods</h2><p>2×2 tables over unique reports; PRR with a log-normal "
        "95% CI and Yates-corrected χ²; ROR with Woolf's CI (or the conditional MLE with "
        "Fisher's exact CI); IC with BCPNN shrinkage and IC025 by Norén's closed-form "
        "approximation; EBGM from a two-component gamma prior fitted by maximum likelihood "
        f"on every counted pair.</p><ul>{items}</ul></footer>"
    )


def render(data: ReportData) -> str:
    """The report page as one HTML document."""
    cohorts = '<a href="#cohorts">Cohorts</a>' if data.cohorts else ""
    cohorts += '<a href="#onset">Time to onset</a>' if data.onsets else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        f"<title>pvkg signal report — {escape(data.store)}</title>"
        f"<style>{STYLE}</style></head>\n<body>"
        f"<header><h1>Drug–event signal report</h1>{_facts(data)}"
        f'<p class="unit">{escape(_counting(data))}</p>'
        '<nav><a href="#table">Signal table</a><a href="#forest">Forest plot</a>'
        '<a href="#effect">Effect vs. evidence</a><a href="#evidence">Evidence</a>'
        f"{cohorts}</nav></header>"
        f"<main>{_table_section(data)}{_plots_section(data)}{_evidence_section(data)}"
        f"{onset_section(data.onsets)}{cohort_section(data.cohorts)}</main>"
        f"{_footer()}<script>{SCRIPT}</script></body></html>\n"
    )
