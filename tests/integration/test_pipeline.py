"""`pvkg run` end to end on the demo data, against both real stores: resumable, idempotent."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import open_store
from normalize import build_index
from tests.conftest import ROOT, Cli
from tests.integration.conftest import wipe_neo4j

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "index"
    build_index(EXAMPLES / "terminology", out)
    return out


@pytest.fixture(params=["ladybug", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "ladybug":
        yield str(tmp_path / "graph")
        return
    uri: str = request.getfixturevalue("neo4j_uri")
    user, password = request.getfixturevalue("neo4j_auth")
    graph = open_store(uri, user=user, password=password)
    wipe_neo4j(graph)
    yield uri
    wipe_neo4j(graph)
    graph.close()


def run_args(index: Path, store: str, output: Path) -> tuple[str | Path, ...]:
    """`pvkg run` over the three demo note files into `store` and `output`."""
    notes = (EXAMPLES / "notes", EXAMPLES / "notes-extra.jsonl", EXAMPLES / "notes-extra.csv")
    return ("run", *notes, "-t", index, "--store", store, "-o", output)


NEO4J_LOGIN = {"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "pvkg-local-pass"}


def graph_size(store: str) -> tuple[int, int]:
    graph = open_store(store, user="neo4j", password="pvkg-local-pass")
    try:
        nodes = sum(
            graph.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]
            for label in ("Report", "Drug", "AdverseEvent", "Dose", "Triple")
        )
        rels = graph.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    finally:
        graph.close()
    return nodes, rels


def test_run_writes_every_output_and_resumes(
    cli: Cli, index: Path, store: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    first = cli(*run_args(index, store, output), env=NEO4J_LOGIN)
    assert first.exit_code == 0, first.stderr
    assert "notes 36 (skipped as done 0, bad 0)" in first.stderr
    assert "drugs linked" in first.stderr and "unlinked 0" in first.stderr
    assert "simvastatin" in first.stdout  # the demo's strongest pair is printed
    for name in ("triples.jsonl", "normalized.jsonl", "signals.csv", "report.html",
                 "triples.csv", "graph.ttl"):  # fmt: skip
        assert (output / name).stat().st_size > 0, name
    with (output / "signals.csv").open(encoding="utf-8") as handle:
        rows = {(r["drug"], r["event"]): r for r in csv.DictReader(handle)}
    # Zocor and simvastatin notes count as one ingredient; 36 notes are 36 reports.
    statin = rows["simvastatin", "Myalgia"]
    assert int(statin["a"]) >= 4
    assert sum(int(statin[c]) for c in "abcd") == 36
    triples_before = (output / "triples.jsonl").read_text(encoding="utf-8")
    size = graph_size(store)

    again = cli(*run_args(index, store, output), env=NEO4J_LOGIN)
    assert again.exit_code == 0, again.stderr
    assert "notes 0 (skipped as done 36, bad 0)" in again.stderr
    assert (output / "triples.jsonl").read_text(encoding="utf-8") == triples_before
    assert graph_size(store) == size
