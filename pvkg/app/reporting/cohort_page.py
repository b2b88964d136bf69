"""The cohort as a self-contained HTML page: one section per patient who meets the
phenotype (and, folded, those who do not), each criterion with its evidence sentences and
the found term highlighted. Everything from notes is escaped; no script runs."""

from __future__ import annotations

from html import escape

from extract.phenotype import Evidence, PatientResult, Phenotype
from pvkg.app.reporting.assets import csp_hash

_STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
.met{color:#176f2c}.not{color:#9b1c1c}mark{background:#ffe58a;padding:0 .1em}
li{margin:.3rem 0}.note{color:#555;font-size:.85em}details{margin-top:2rem}"""
_POLICY = f"default-src 'none'; style-src {csp_hash(_STYLE)}; base-uri 'none'; form-action 'none'"


def render_cohort(phenotype: Phenotype, results: list[PatientResult]) -> str:
    met = [r for r in results if r.met]
    rest = [r for r in results if not r.met]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        f"<title>{escape(phenotype.name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(phenotype.name)}: {len(met)} of {len(results)} patients</h1>",
        *(_patient(phenotype, r) for r in met),
        f"<details><summary>{len(rest)} patients who do not meet it</summary>",
        *(_patient(phenotype, r) for r in rest),
        "</details></body></html>",
    ]
    return "\n".join(parts)


def _patient(phenotype: Phenotype, result: PatientResult) -> str:
    rows = []
    for criterion in phenotype.criteria:
        status = result.criteria[criterion.id]
        mark = '<span class="met">met</span>' if status.met else '<span class="not">not met</span>'
        quotes = "".join(f"<li>{_highlighted(e)} <span class=note>{escape(e.note_id)}"
                         "</span></li>" for e in status.evidence)  # fmt: skip
        rows.append(f"<li><b>{escape(criterion.id)}</b> ({escape(criterion.description)}): "
                    f"{mark}, {status.episodes} episode(s)<ul>{quotes}</ul></li>")  # fmt: skip
    verdict = "met" if result.met else "not"
    return (f'<h2 class="{verdict}">{escape(result.patient)}</h2>'
            f"<ul>{''.join(rows)}</ul>")  # fmt: skip


def _highlighted(evidence: Evidence) -> str:
    start = evidence.start - evidence.sentence_start
    end = evidence.end - evidence.sentence_start
    quote = evidence.quote
    return f"{escape(quote[:start])}<mark>{escape(quote[start:end])}</mark>{escape(quote[end:])}"
