"""`pvkg export`: write a store's triples or whole graph to a file."""

from __future__ import annotations

from pathlib import Path

from kg.export import FORMATS, ExportFormat, export
from kg.store import open_store
from pvkg.errors import ConfigError


def export_store(
    store: str | Path | None,
    fmt: str,
    output: str | Path,
    *,
    user: str | None = None,
    password: str | None = None,
) -> int:
    """Export `store` as `fmt` to `output`; returns what `kg.export.export` counted."""
    chosen = next((known for known in FORMATS if known == fmt), None)
    if chosen is None:
        raise ConfigError(
            f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}"
        )
    return _export(store, chosen, Path(output), user, password)


def _export(
    store: str | Path | None,
    fmt: ExportFormat,
    output: Path,
    user: str | None,
    password: str | None,
) -> int:
    graph = open_store(store, user=user, password=password)
    try:
        return export(graph, fmt, output)
    finally:
        graph.close()
