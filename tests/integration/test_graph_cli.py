"""`pvkg load`, `signals`, `query` and `export` end to end on the embedded store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, URIRef

from tests.conftest import FIXTURES, Cli
from tests.integration.conftest import NO_CACHE

pytestmark = pytest.mark.integration

SMALL = FIXTURES / "openebgm" / "small_with_errors.csv"


@pytest.fixture
def loaded(cli: Cli, tmp_path: Path) -> Path:
    store = tmp_path / "graph"
    result = cli("load", SMALL, "--format", "openebgm", "--store", store, env=NO_CACHE)
    assert result.exit_code == 0, result.stderr
    return store


def test_load_reports_bad_rows_and_keeps_going(cli: Cli, tmp_path: Path) -> None:
    store = tmp_path / "graph"
    first = cli("load", SMALL, "--format", "openebgm", "--store", store, env=NO_CACHE)
    assert first.exit_code == 0, first.stderr
    assert f"{SMALL}:6: expected 4 fields, found 3" in first.stderr
    assert f"{SMALL}:7: empty var1" in first.stderr
    assert "2 bad record(s) skipped" in first.stderr
    assert "loaded 4 records" in first.stderr
    again = cli("load", SMALL, "--format", "openebgm", "--store", store, env=NO_CACHE)
    assert "0 new nodes, 0 new relationships" in again.stderr


def test_signals_csv_has_the_documented_columns(cli: Cli, loaded: Path, tmp_path: Path) -> None:
    output = tmp_path / "signals.csv"
    result = cli("signals", "--store", loaded, "-o", output, "--method", "prr,ror,ic", env=NO_CACHE)
    assert result.exit_code == 0, result.stderr
    assert "counts are unique reports" in result.stdout
    with output.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "drug", "event", "a", "b", "c", "d", "expected", "prr", "prr_lo", "prr_hi", "chi2",
        "ror", "ror_lo", "ror_hi", "ic", "ic025", "ebgm", "eb05", "eb95",
        "onset_reports", "weibull_shape", "weibull_lo", "weibull_hi",
    ]  # fmt: skip
    aspirin_nausea = next(r for r in rows if (r["drug"], r["event"]) == ("ASPIRIN", "NAUSEA"))
    # 4 good reports: aspirin in 1,2; nausea in 1,2,6 -> a=2, b=0, c=1, d=1.
    assert [aspirin_nausea[k] for k in "abcd"] == ["2", "0", "1", "1"]
    assert float(aspirin_nausea["prr"]) == pytest.approx((2 / 2) / (1 / 2))
    assert aspirin_nausea["ebgm"] == ""


def test_query_takes_values_as_parameters(cli: Cli, loaded: Path) -> None:
    result = cli(
        "query",
        "MATCH (r:Report)-[:MENTIONS_DRUG]->(d:Drug) WHERE d.name = $name "
        "RETURN r.id AS id ORDER BY id",
        "--param",
        "name=ASPIRIN",
        "--store",
        loaded,
        env=NO_CACHE,
    )
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"id": "1"}, {"id": "2"}]


def test_bad_query_is_one_line_error(cli: Cli, loaded: Path) -> None:
    result = cli("query", "MATCH (n:Nope RETURN n", "--store", loaded, env=NO_CACHE)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: embedded store:")
    assert "Traceback" not in result.stderr


def test_exports_parse_back(cli: Cli, loaded: Path, tmp_path: Path) -> None:
    for fmt in ("ttl", "nt", "jsonld", "graphml"):
        result = cli(
            "export", "--store", loaded, "-f", fmt, "-o", tmp_path / f"g.{fmt}", env=NO_CACHE
        )
        assert result.exit_code == 0, result.stderr
    rdf = Graph().parse(tmp_path / "g.ttl", format="turtle")
    assert len(rdf) == len(Graph().parse(tmp_path / "g.nt", format="nt"))
    assert len(rdf) == len(Graph().parse(tmp_path / "g.jsonld", format="json-ld"))
    report = URIRef("https://w3id.org/pvkg/id/report/openebgm%3A1")
    drugs = set(rdf.objects(report, URIRef("https://w3id.org/pvkg/vocab#mentionsDrug")))
    assert drugs == {URIRef("https://w3id.org/pvkg/id/drug/name%3AASPIRIN")}
    network = nx.read_graphml(tmp_path / "g.graphml")
    assert network.number_of_nodes() == 4 + 3 + 3  # reports, drugs, events
    assert network.number_of_edges() == 5 + 5  # report-drug and report-event links


def test_missing_store_option_value_and_bad_format(cli: Cli, tmp_path: Path) -> None:
    result = cli("load", SMALL, "--format", "xml", "--store", tmp_path / "g", env=NO_CACHE)
    assert result.exit_code == 2
    assert "unknown format 'xml'" in result.stderr
