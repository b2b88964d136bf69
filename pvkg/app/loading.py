"""`pvkg load`: read a file of triples or case reports and load it into a graph store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from kg.load import Loadable, LoadSummary, load
from kg.store import open_store
from pvkg.errors import ConfigError, InputError
from pvkg.jsonl import read_jsonl
from pvkg.records import NormalizedTriple

LoadFormat = Literal["triples", "faers", "openebgm"]
FORMATS: tuple[LoadFormat, ...] = ("triples", "faers", "openebgm")


def read_loadable(
    path: Path, fmt: LoadFormat, on_error: Callable[[InputError], None] | None
) -> Iterator[Loadable]:
    """Records of `path` in format `fmt`, streamed."""
    if fmt == "triples":
        # NormalizedTriple reads plain triples too: concepts default to none.
        return read_jsonl(path, NormalizedTriple, on_error=on_error)
    if fmt == "openebgm":
        from loaders.openebgm import read_openebgm_csv

        return read_openebgm_csv(path, on_error=on_error)
    if fmt == "faers":
        from loaders.faers import read_diana_tables, read_faers_ascii

        if path.is_dir() and any(path.glob("*_Demo.csv")):
            prefix = next(path.glob("*_Demo.csv")).name.removesuffix("Demo.csv")
            return read_diana_tables(path, prefix=prefix, on_error=on_error)
        return read_faers_ascii(path, on_error=on_error)
    raise ConfigError(f"unknown format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}")


def load_file(
    path: str | Path,
    fmt: LoadFormat,
    store: str | Path | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    batch_size: int | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> LoadSummary:
    """Load `path` into `store` (a directory or a Neo4j URI); bad records are reported
    through `on_error` and skipped. Re-running the same load adds nothing."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or directory", file=path)
    graph = open_store(store, user=user, password=password)
    try:
        return load(graph, read_loadable(path, fmt, on_error), batch_size=batch_size,
                    on_batch=on_batch)  # fmt: skip
    finally:
        graph.close()
