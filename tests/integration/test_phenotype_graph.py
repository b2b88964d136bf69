"""A cohort in both stores: (:Patient)-[:MEETS]->(:Phenotype) with its evidence, the
patients' notes tied to their reports, a re-run that changes nothing, the report's cohort
section and the exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.phenotype import PhenotypeOptions
from kg.load import load
from kg.options import StoreOptions
from kg.store import GraphStore, open_store
from pvkg.app.phenotyping import run_phenotype
from pvkg.app.reporting import write_report
from pvkg.records import CaseReport
from tests.conftest import FIXTURES
from tests.integration.conftest import wipe_neo4j

pytestmark = pytest.mark.integration
HERE = FIXTURES / "phenotype"
NOTE_IDS = [json.loads(line)["id"] for line in (HERE / "notes.jsonl").open()]


def connection(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreOptions:
    if kind == "neo4j":
        user, password = request.getfixturevalue("neo4j_auth")
        return StoreOptions(request.getfixturevalue("neo4j_uri"), user, password)
    return StoreOptions(str(tmp_path / "graph"))


def opened(spec: StoreOptions) -> GraphStore:
    return open_store(spec.store, user=spec.user, password=spec.password)


@pytest.mark.parametrize("kind", ["ladybug", "neo4j"])
def test_a_cohort_is_stored_once_with_evidence_and_notes(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, umls_dir: Path
) -> None:
    spec = connection(kind, request, tmp_path)
    graph = opened(spec)
    try:
        if kind == "neo4j":
            wipe_neo4j(graph)
        load(graph, [CaseReport(id=note, source="note") for note in NOTE_IDS[:3]])
    finally:
        graph.close()  # the embedded store takes one open database at a time
    options = PhenotypeOptions(terminology=umls_dir)
    for _ in range(2):  # the second run must change nothing
        summary, _ = run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"],
                                   tmp_path / "out", options, connection=spec)  # fmt: skip
        assert summary.graph_meets == 2

    report = write_report(spec.store, tmp_path / "report.html", user=spec.user,
                          password=spec.password)  # fmt: skip
    page = report.output.read_text(encoding="utf-8")
    cohorts = page[page.index('id="cohorts"') :]
    assert "2 of 4 patients in the graph meet it" in cohorts
    assert 'developed a <mark class="event">skin rash</mark> on both arms.' in cohorts
    assert 'Another episode of <mark class="event">melena</mark>' in cohorts  # p1's gi_bleed
    graph = opened(spec)
    try:
        meets = graph.run(
            "MATCH (p:Patient)-[m:MEETS]->(f:Phenotype {key: $key}) "
            "RETURN p.id AS patient, m.evidence AS evidence, m.criteria AS criteria "
            "ORDER BY patient",
            {"key": "phenotype:nsaid_skin"},
        )
        notes = graph.run("MATCH (p:Patient)-[h:HAS_NOTE]->(r:Report) "
                          "RETURN p.id AS patient, r.id AS note ORDER BY note")  # fmt: skip
        counts = graph.run("MATCH (p:Patient) RETURN count(p) AS n")[0]["n"]
        reports = graph.run("MATCH (r:Report) RETURN count(r) AS n")[0]["n"]
        if kind == "neo4j":
            wipe_neo4j(graph)
    finally:
        graph.close()
    assert [m["patient"] for m in meets] == ["n6", "p1"] and counts == 4
    assert "n1:" in meets[1]["evidence"] and json.loads(meets[1]["criteria"])["gi_bleed"] == {
        "met": True, "episodes": 2}  # fmt: skip
    # Only the notes loaded as reports are tied; no report is added.
    assert [(n["patient"], n["note"]) for n in notes] == [("p1", "n1"), ("p1", "n2"), ("p1", "n3")]
    assert reports == 3


def test_the_sentence_index_in_neo4j_joins_patients_and_vectors(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from extract.phenotype.embedder import SentenceEncoder
    from kg.sentence_index import open_sentence_index
    from pvkg.app.phenotyping import index_notes

    spec = connection("neo4j", request, tmp_path)
    graph = opened(spec)
    wipe_neo4j(graph)
    graph.close()
    first = index_notes([HERE / "notes.jsonl"], spec.store)
    again = index_notes([HERE / "notes.jsonl"], spec.store)
    assert (first.added, again.added, again.total) == (10, 0, 10)
    changed = tmp_path / "changed.jsonl"
    changed.write_text((HERE / "notes.jsonl").read_text().replace(
        "Another episode of melena this morning.", "No melena since."))  # fmt: skip
    edited = index_notes([changed], spec.store)
    assert (edited.added, edited.removed, edited.total) == (1, 1, 10)
    index_notes([HERE / "notes.jsonl"], spec.store)  # back as it was
    encoder = SentenceEncoder()
    index = open_sentence_index(spec.store, encoder.dimension)
    try:
        query = encoder.encode(["a rash on the skin"])[0]
        mine = index.search(query, 2, patient="p1")
        everyone = index.search(query, 3)
    finally:
        index.close()
    assert mine[0].sentence.text == "Two days later she developed a skin rash on both arms."
    assert all(h.sentence.patient == "p1" for h in mine) and len(mine) == 2
    assert mine[0].score >= mine[1].score and len(everyone) == 3
    graph = opened(spec)
    try:
        joined = graph.run("MATCH (p:Patient {id: 'p1'})-[:HAS_SENTENCE]->(s:Sentence) "
                           "RETURN count(s) AS n")[0]["n"]  # fmt: skip
        wipe_neo4j(graph)
    finally:
        graph.close()
    assert joined == 5  # p1's notes n1 (2 sentences), n2 (2), n3 (1)


def test_cohorts_travel_in_the_rdf_and_graphml_exports(tmp_path: Path, umls_dir: Path) -> None:
    import networkx as nx
    from rdflib import Graph, Namespace

    from kg.export import export

    spec = StoreOptions(str(tmp_path / "graph"))
    graph = opened(spec)
    try:
        load(graph, [CaseReport(id=note, source="note") for note in NOTE_IDS[:3]])
    finally:
        graph.close()
    run_phenotype(HERE / "nsaid_skin.yaml", [HERE / "notes.jsonl"], tmp_path / "out",
                  PhenotypeOptions(terminology=umls_dir), connection=spec)  # fmt: skip
    graph = opened(spec)
    try:
        export(graph, "ttl", tmp_path / "graph.ttl")
        export(graph, "graphml", tmp_path / "graph.graphml")
    finally:
        graph.close()

    pvkg = Namespace("https://w3id.org/pvkg/vocab#")
    rdf = Graph().parse(tmp_path / "graph.ttl")
    members = sorted(str(p).rsplit("/", 1)[-1] for p, _ in rdf.subject_objects(pvkg.meets))
    assert members == ["patient%3An6", "patient%3Ap1"]
    evidence = [str(e) for _, e in rdf.subject_objects(pvkg.evidence)]
    assert len(evidence) == 2 and any("n1:" in e for e in evidence)
    assert len(list(rdf.subject_objects(pvkg.hasNote))) == 3
    network = nx.read_graphml(tmp_path / "graph.graphml")
    meets = [(a, b) for a, b, d in network.edges(data=True) if d["label"] == "MEETS"]
    assert sorted(meets) == [("Patient:patient:n6", "Phenotype:phenotype:nsaid_skin"),
                             ("Patient:patient:p1", "Phenotype:phenotype:nsaid_skin")]  # fmt: skip
