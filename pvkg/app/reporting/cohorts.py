"""The report's cohort section: each phenotype stored in the graph, who meets it, the
evidence of each member with the qualifying words marked in the stored sentence, and the
drugs their notes name."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kg.cohort_read import CohortSummary, Member, Quote
from kg.evidence import Mention
from pvkg.app.reporting.sections import highlight


def cohort_section(cohorts: Sequence[CohortSummary]) -> str:
    if not cohorts:
        return ""
    legend = (
        '<p class="note">Phenotypes judged by <code>pvkg phenotype run</code> with a store: '
        "the members (the first by patient id), the sentences that decided each criterion "
        'with the qualifying words <mark class="event">marked</mark>, and the drugs named in '
        "the members' notes (patients whose notes name each).</p>"
    )
    body = "\n".join(_phenotype(c) for c in cohorts)
    return f'<section id="cohorts"><h2>Cohorts</h2>{legend}{body}</section>'


def _phenotype(cohort: CohortSummary) -> str:
    head = f"<h3>{escape(cohort.name)} <code>{escape(cohort.phenotype)}</code></h3>"
    facts = [f"{cohort.meets} of {cohort.patients} patients in the graph meet it"]
    if cohort.drugs:
        facts.append("drugs in their notes: " + ", ".join(
            f"{escape(drug)} ({n})" for drug, n in cohort.drugs))  # fmt: skip
    meta = f'<p class="meta">{" · ".join(facts)}</p>'
    members = "\n".join(_member(m) for m in cohort.members)
    hidden = cohort.meets - len(cohort.members)
    more = f'<p class="more">{hidden} more members not shown</p>' if hidden > 0 else ""
    return f'<section class="pair">{head}{meta}<ol class="evidence">{members}</ol>{more}</section>'


def _member(member: Member) -> str:
    criteria = ", ".join(f"{escape(name)} {'met' if met else 'not met'}"
                         for name, met in member.criteria.items())  # fmt: skip
    quotes = "".join(_quote(quote) for quote in member.quotes)
    return (f'<li><p class="prov">patient <code>{escape(member.patient)}</code> · '
            f"{criteria}</p>{quotes}</li>")  # fmt: skip


def _quote(quote: Quote) -> str:
    sentence = Mention(quote.sentence, quote.sentence_start,
                       quote.sentence_start + len(quote.sentence))  # fmt: skip
    words = quote.sentence[quote.start - quote.sentence_start : quote.end - quote.sentence_start]
    marked, _ = highlight(sentence, [("event", Mention(words, quote.start, quote.end))])
    return (f"<blockquote>{marked}</blockquote><p class=\"prov\">{escape(quote.criterion)} · "
            f"note <code>{escape(quote.note_id)}</code></p>")  # fmt: skip
