"""Write the HTML signal report of a store: count, score, gather evidence, render."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from kg.cohort_read import cohort_summaries
from kg.counts import pair_counts
from kg.disproportionality import compute_signals
from kg.evidence import pair_evidence
from kg.onset_signals import onset_signals
from kg.store import GraphStore, is_neo4j_uri, open_store
from pvkg import __version__
from pvkg.app.reporting.model import ReportData, Row, ranked
from pvkg.app.reporting.options import ReportOptions
from pvkg.app.reporting.page import render
from pvkg.config import DEFAULT_STORE
from pvkg.errors import ConfigError


@dataclass(frozen=True)
class ReportSummary:
    output: Path
    reports: int
    pairs: int
    signals: int
    evidence_sections: int
    sentences: int
    bytes: int


def write_report(
    store: GraphStore | str | Path | None,
    output: str | Path,
    options: ReportOptions = ReportOptions(),
    *,
    user: str | None = None,
    password: str | None = None,
) -> ReportSummary:
    """Write the report of `store` (a store spec, opened and closed here, or an open store)
    to `output`, replacing it whole only once the page is complete."""
    for name in ("top", "sentences_per_signal"):
        if getattr(options, name) < 1:
            raise ConfigError(f"{name} must be at least 1, not {getattr(options, name)}")
    if store is None or isinstance(store, str | Path):
        graph = open_store(store, user=user, password=password)
        try:
            data = _collect(graph, _label(store), options)
        finally:
            graph.close()
    else:
        data = _collect(store, f"{store.kind} store", options)
    page = render(data).encode("utf-8")
    path = Path(output)
    _write_whole(path, page)
    return ReportSummary(
        output=path,
        reports=data.reports,
        pairs=len(data.rows),
        signals=data.signals,
        evidence_sections=len(data.evidence),
        sentences=sum(min(len(e.triples), options.sentences_per_signal) for _, e in data.evidence),
        bytes=len(page),
    )


def _label(spec: str | Path | None) -> str:
    """The store as the header names it; a URI without any user:password@ part."""
    text = str(spec or DEFAULT_STORE)
    if not is_neo4j_uri(text):
        return text
    parts = urlsplit(text)
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{parts.hostname or ''}{port}").geturl()


def _collect(graph: GraphStore, label: str, options: ReportOptions) -> ReportData:
    # EBGM's prior is fitted on every pair, as `pvkg signals` does; min_count filters rows.
    chosen = options.signals
    pairs = pair_counts(graph, chosen.counting())
    signals = compute_signals(pairs, methods=chosen.methods, min_count=chosen.min_count)
    rows: list[Row] = []
    sections = 0
    for row in ranked(signals, by_eb05="ebgm" in chosen.methods):
        if row.flags.any and sections < options.top:
            sections += 1
            row = replace(row, anchor=f"signal-{sections}")
        rows.append(row)
    with_evidence = [row for row in rows if row.anchor]
    evidence = pair_evidence(
        graph,
        [(row.signal.drug, row.signal.event) for row in with_evidence],
        all_assertions=chosen.all_assertions,
    )
    sources = graph.run("MATCH (r:Report) RETURN r.source AS source, count(r) AS n")
    return ReportData(
        store=label,
        created=datetime.now(UTC),
        version=__version__,
        methods=tuple(chosen.methods),
        counting=chosen.counting(),
        min_count=chosen.min_count,
        top=options.top,
        reports_by_source={row["source"]: int(row["n"]) for row in sources},
        pairs_counted=len(pairs),
        rows=rows,
        evidence=[(row, evidence[(row.signal.drug, row.signal.event)]) for row in with_evidence],
        sentences_per_signal=options.sentences_per_signal,
        cohorts=cohort_summaries(graph, limit=options.top),
        onsets=onset_signals(graph, all_assertions=chosen.all_assertions),
    )


def _write_whole(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        # mkstemp creates 0600; give the report the mode a plainly written file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
