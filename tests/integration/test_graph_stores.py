"""Both real stores load the same records to the same graph, count the same pairs as the
plain-Python reference, and reloading changes nothing."""

from __future__ import annotations

import os
import random
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kg import _schema as schema
from kg.counts import cypher, pair_counts
from kg.disproportionality import PairCounts
from kg.load import batches, load
from kg.neo4j_store import Neo4jStore
from kg.options import CountOptions
from kg.reference_counts import count_pairs
from kg.rows import GraphBatch
from kg.store import GraphStore, WriteStats, open_store
from pvkg.errors import StoreError
from pvkg.records import (
    CaseReport,
    Concept,
    Concepts,
    ExtractorInfo,
    NormalizedTriple,
    ReportedDrug,
    ReportedEvent,
    Span,
)
from tests.integration.conftest import OUR_LABELS, wipe_neo4j
from tests.integration.proxy import CuttableProxy

pytestmark = pytest.mark.integration


def synthetic_reports(n: int, seed: int = 7) -> list[CaseReport]:
    rng = random.Random(seed)
    drugs = [f"drug{i:02d}" for i in range(12)]
    events = [f"event{i:02d}" for i in range(15)]
    reports = []
    for i in range(n):
        reports.append(
            CaseReport(
                id=f"case{i}",
                source="synthetic",
                sex=rng.choice(["F", "M", None]),
                drugs=tuple(ReportedDrug(name=d) for d in rng.sample(drugs, rng.randint(1, 3))),
                events=tuple(ReportedEvent(name=e) for e in rng.sample(events, rng.randint(1, 4))),
            )
        )
    return reports


def graph_size(store: GraphStore) -> tuple[int, int]:
    nodes = sum(
        store.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] for label in OUR_LABELS
    )
    rels = store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return nodes, rels


def as_table(pairs: list[PairCounts]) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return {(p.drug, p.event): (p.a, p.n_drug, p.n_event, p.n_reports) for p in pairs}


def test_case_reports_match_reference_and_reload_adds_nothing(store: GraphStore) -> None:
    reports = synthetic_reports(400)
    # A duplicate of a report already loaded, in a later batch: it must not count twice.
    reports.append(reports[5])
    first = load(store, reports, batch_size=64)
    assert first.records == 401
    size = graph_size(store)
    assert first.nodes == size[0]
    assert first.rels == size[1]

    again = load(store, reports, batch_size=50)
    assert (again.nodes, again.rels) == (0, 0)
    assert graph_size(store) == size

    counted = as_table(pair_counts(store))
    assert counted == as_table(count_pairs(reports))


def test_a_batch_of_stored_and_new_reports_loads_like_a_fresh_load(store: GraphStore) -> None:
    reports = synthetic_reports(300, seed=13)
    stored = load(store, reports[:120], batch_size=50)
    # One batch: 120 reports already stored (MERGEd), 180 new ones (CREATEd).
    mixed = load(store, reports, batch_size=300)
    size = graph_size(store)
    assert (stored.nodes + mixed.nodes, stored.rels + mixed.rels) == size

    again = load(store, reports, batch_size=300)
    assert (again.nodes, again.rels) == (0, 0)
    assert graph_size(store) == size
    assert as_table(pair_counts(store)) == as_table(count_pairs(reports))


def test_neo4j_batch_with_a_missing_end_node_fails_whole(
    neo4j_uri: str, neo4j_auth: tuple[str, str]
) -> None:
    neo4j = open_store(neo4j_uri, user=neo4j_auth[0], password=neo4j_auth[1])
    wipe_neo4j(neo4j)
    batch = GraphBatch()
    report = batch.add_node(schema.REPORT, {"key": "synthetic:r1", "id": "r1"})
    # A link to a drug the batch never added: created links must not shift to other drugs.
    batch.add_rel(schema.MENTIONS_DRUG, report, "name:missing", affirmed=True)
    try:
        with pytest.raises(StoreError, match="created 0 of 1 MENTIONS_DRUG"):
            neo4j.write_batch(batch)
        assert graph_size(neo4j) == (0, 0)
    finally:
        wipe_neo4j(neo4j)
        neo4j.close()


def test_ladybug_batch_with_a_missing_end_node_fails_whole(tmp_path: Path) -> None:
    embedded = open_store(tmp_path / "graph")
    batch = GraphBatch()
    report = batch.add_node(schema.REPORT, {"key": "synthetic:r1", "id": "r1"})
    batch.add_node(schema.DRUG, {"key": "name:present", "name": "present"})
    batch.add_rel(schema.MENTIONS_DRUG, report, "name:present", affirmed=True)
    # A link to a drug the batch never added: its COPY fails after the nodes were copied.
    batch.add_rel(schema.MENTIONS_DRUG, report, "name:missing", affirmed=True)
    try:
        with pytest.raises(StoreError):
            embedded.write_batch(batch)
        assert graph_size(embedded) == (0, 0)
        batch.add_node(schema.DRUG, {"key": "name:missing", "name": "missing"})
        assert embedded.write_batch(batch) == WriteStats(nodes=3, rels=2)
    finally:
        embedded.close()


def test_one_query_2x2_table_matches_the_marginal_queries(store: GraphStore) -> None:
    reports = synthetic_reports(120, seed=3)
    load(store, reports)
    combined = {
        (r["drug"], r["event"]): (r["a"], r["b"], r["c"], r["d"])
        for r in store.run(cypher("signal_counts"))
    }
    split = {(p.drug, p.event): (p.a, p.b, p.c, p.d) for p in pair_counts(store)}
    assert combined == split
    assert len(split) > 100


def test_stratified_expected_sums_over_strata(store: GraphStore) -> None:
    reports = synthetic_reports(200, seed=11)
    load(store, reports)
    pairs = pair_counts(store, CountOptions(stratum="sex"))
    strata: dict[str, list[CaseReport]] = {}
    for report in reports:
        strata.setdefault(report.sex or "unknown", []).append(report)
    by_stratum = [as_table(count_pairs(group)) for group in strata.values()]
    sizes = [len(group) for group in strata.values()]
    drug_n = [{p.drug: p.n_drug for p in count_pairs(group)} | {} for group in strata.values()]
    event_n = [{p.event: p.n_event for p in count_pairs(group)} for group in strata.values()]
    for pair in pairs:
        expected = sum(
            drug_n[s].get(pair.drug, 0) * event_n[s].get(pair.event, 0) / sizes[s]
            for s in range(len(sizes))
        )
        assert pair.expected == pytest.approx(expected)
        assert pair.a == sum(t.get((pair.drug, pair.event), (0,))[0] for t in by_stratum)


RULES = ExtractorInfo(name="rules", version="0.1")
NOTES = {
    "n1": "Rash after amoxicillin 500 mg.",
    "n2": "No rash on amoxicillin. Nausea with cisplatin.",
    "n3": "Possible rash from Augmentin.",
}
AMOXICILLIN = Concept(cui="C0002645", name="amoxicillin", codes={"RXNORM_IN": ["723"]})
RASH = Concept(cui="C0015230", name="Exanthema", codes={"SNOMEDCT_US": ["271807003"]})


def span(note: str, text: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = NOTES[note].index(text, start + 1)
    return Span(text=text, start=start, end=start + len(text))


def triples() -> list[NormalizedTriple]:
    def triple(note: str, drug: str, event: str, assertion: str = "present") -> NormalizedTriple:
        linked_drug = AMOXICILLIN if drug in {"amoxicillin", "Augmentin"} else None
        return NormalizedTriple.model_validate(
            {
                "note_id": note,
                "drug": span(note, drug),
                "adverse_event": span(note, event),
                "assertion": assertion,
                "extractor": RULES,
                "concepts": Concepts(
                    drug=linked_drug, adverse_event=RASH if event in {"Rash", "rash"} else None
                ),
            }
        )

    with_dose = triple("n1", "amoxicillin", "Rash").model_copy(
        update={"dose": span("n1", "500 mg")}
    )
    return [
        with_dose,
        triple("n2", "amoxicillin", "rash", "negated"),
        triple("n2", "cisplatin", "Nausea"),
        triple("n3", "Augmentin", "rash", "speculated"),
    ]


def test_triples_count_by_code_and_drop_unaffirmed_findings(store: GraphStore) -> None:
    load(store, triples(), batch_size=1)  # one note's triples split over batches
    pairs = as_table(pair_counts(store))
    # Amoxicillin and Augmentin merge by ingredient; negated and speculated rash don't count.
    assert pairs == {
        ("amoxicillin", "Exanthema"): (1, 3, 1, 3),
        ("cisplatin", "Nausea"): (1, 1, 1, 3),
        ("amoxicillin", "Nausea"): (1, 3, 1, 3),
    }
    everything = as_table(pair_counts(store, CountOptions(all_assertions=True)))
    assert everything[("amoxicillin", "Exanthema")] == (3, 3, 3, 3)
    causal = as_table(pair_counts(store, CountOptions(mode="causal")))
    assert set(causal) == {("amoxicillin", "Exanthema"), ("cisplatin", "Nausea")}

    provenance = store.run(
        "MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:HAS_DOSE]->(d:Dose) "
        "RETURN r.id AS note, t.drug_text AS drug, t.drug_start AS start, d.text AS dose, "
        "t.extractor AS extractor"
    )
    assert provenance == [
        {"note": "n1", "drug": "amoxicillin", "start": 11, "dose": "500 mg", "extractor": "rules"}
    ]
    unlinked = store.run("MATCH (d:Drug) WHERE NOT d.linked RETURN d.key AS key")
    assert unlinked == [{"key": "name:cisplatin"}]

    size = graph_size(store)
    again = load(store, triples(), batch_size=3)
    assert (again.nodes, again.rels) == (0, 0)
    assert graph_size(store) == size


def graph_dump(store: GraphStore) -> tuple[list[str], list[tuple[str, str, str, object]]]:
    """Every node with its properties and every relationship with its `affirmed` flag."""
    nodes = store.run("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.run(
        "MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS type, b.key AS b, r.affirmed AS f"
    )
    return (
        sorted(repr((row["labels"], sorted(row["props"].items()))) for row in nodes),
        sorted((row["a"], row["type"], row["b"], row["f"]) for row in rels),
    )


def test_neo4j_concurrent_writers_load_what_one_writer_loads(
    neo4j_uri: str, neo4j_auth: tuple[str, str]
) -> None:
    reports = synthetic_reports(1000, seed=11)
    # Consecutive batches of 50 share 25 reports, and one note's triples span batches, so
    # writers in flight together race to create the same new keys.
    records: list[CaseReport | NormalizedTriple] = [
        report for i in range(0, len(reports), 25) for report in reports[i : i + 50]
    ]
    records[100:100] = triples()
    user, password = neo4j_auth
    one = Neo4jStore(neo4j_uri, user=user, password=password, writers=1)
    many = Neo4jStore(neo4j_uri, user=user, password=password, writers=4)
    try:
        one.ensure_schema()
        wipe_neo4j(one)
        sequential = load(one, records, batch_size=50)
        expected = graph_dump(one)
        wipe_neo4j(one)

        seen: list[int] = []
        concurrent = load(many, records, batch_size=50, on_batch=seen.append)
        assert graph_dump(many) == expected
        assert (concurrent.nodes, concurrent.rels) == (sequential.nodes, sequential.rels)
        assert concurrent.records == sum(seen) == len(records)
        assert concurrent.batches == len(seen) == -(-len(records) // 50)
        stored = many.run("MATCH (r:Report) RETURN count(r) AS n")[0]["n"]
        assert stored == len(reports) + len({triple.note_id for triple in triples()})

        again = load(many, records, batch_size=50)
        assert (again.nodes, again.rels) == (0, 0)
        assert graph_dump(many) == expected
    finally:
        wipe_neo4j(one)
        one.close()
        many.close()


def test_neo4j_load_resumes_after_a_dropped_connection(
    neo4j_uri: str, neo4j_auth: tuple[str, str]
) -> None:
    target = urlparse(neo4j_uri)
    reports = synthetic_reports(3000, seed=5)
    reference = as_table(count_pairs(reports))
    direct = open_store(neo4j_uri, user=neo4j_auth[0], password=neo4j_auth[1])
    wipe_neo4j(direct)
    # Cut the connection once about half the load's bytes have gone through: how many bytes
    # a whole load sends is measured through an uncut proxy first.
    host, port = target.hostname or "127.0.0.1", target.port or 7687
    measuring = CuttableProxy(host, port)
    counted = Neo4jStore(
        f"bolt://127.0.0.1:{measuring.port}", user=neo4j_auth[0], password=neo4j_auth[1]
    )
    try:
        load(counted, reports, batch_size=200)
    finally:
        counted.close()
        measuring.close()
    wipe_neo4j(direct)
    proxy = CuttableProxy(host, port, measuring.forwarded // 2)
    flaky = Neo4jStore(
        f"bolt://127.0.0.1:{proxy.port}",
        user=neo4j_auth[0],
        password=neo4j_auth[1],
        retry_seconds=1.0,
    )
    try:
        with pytest.raises(StoreError, match="Neo4j write failed") as failure:
            load(flaky, reports, batch_size=200)
        assert failure.value.hint is not None
        assert "re-run the load" in failure.value.hint
        assert proxy.is_cut
        partial = direct.run("MATCH (r:Report) RETURN count(r) AS n")[0]["n"]
        assert 0 < partial < len(reports)
        assert partial % 200 == 0  # whole batches only: the cut batch rolled back

        resumed = load(direct, reports, batch_size=200)
        assert resumed.records == len(reports)
        assert as_table(pair_counts(direct)) == reference
        reports_stored = direct.run("MATCH (r:Report) RETURN count(r) AS n")[0]["n"]
        assert reports_stored == len(reports)
    finally:
        flaky.close()
        proxy.close()
        wipe_neo4j(direct)
        direct.close()


def test_free_text_with_newlines_quotes_and_commas_round_trips(store: GraphStore) -> None:
    text = 'Started "Augmentin", 875 mg,\nthen developed hives; stopped.'
    start = text.index("hives")
    triple = NormalizedTriple(
        note_id="n-quotes",
        drug=Span(text='"Augmentin"', start=8, end=19),
        adverse_event=Span(text="hives", start=start, end=start + 5),
        evidence=Span(text=text, start=0, end=len(text)),
        extractor=RULES,
    )
    load(store, [triple])
    rows = store.run("MATCH (t:Triple) RETURN t.evidence_text AS e, t.drug_text AS d")
    assert rows == [{"e": text, "d": '"Augmentin"'}]


def test_a_quoted_name_after_many_plain_ones_loads(store: GraphStore) -> None:
    # Regression: CSV dialect sniffing on the first rows split a later quoted field.
    reports = [
        CaseReport(
            id=f"q{i}",
            source="synthetic",
            drugs=(ReportedDrug(name=f"drug {i}"),),
            events=(ReportedEvent(name="hallucinations, mixed" if i == 900 else f"event {i}"),),
        )
        for i in range(1000)
    ]
    load(store, reports)
    rows = store.run("MATCH (e:AdverseEvent) WHERE e.name = $name RETURN e.key AS key",
                     {"name": "hallucinations, mixed"})  # fmt: skip
    assert rows == [{"key": "name:hallucinations, mixed"}]


def resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_a_long_embedded_load_holds_no_memory_per_batch(tmp_path: Path) -> None:
    """LadybugDB's driver keeps every Arrow table passed to a connection until it closes:
    on one connection these 20 batches held about 390 MB more, with a fresh connection per
    batch about 110 MB (the buffer pool's pages)."""
    store = open_store(tmp_path / "graph")
    try:
        rows = list(batches(synthetic_reports(100_000, seed=5), size=5_000))
        store.write_batch(rows[0])
        before = resident_bytes()
        for batch in rows[1:]:
            store.write_batch(batch)
        assert resident_bytes() - before < 200e6
        assert graph_size(store)[0] > 100_000
    finally:
        store.close()
