"""Export the graph: extracted triples as CSV or JSONL; the whole graph, cohorts included
(Patient, Phenotype, MEETS, HAS_NOTE), as RDF (Turtle, N-Triples, JSON-LD; rdflib, with
standard IRIs and PROV-O provenance) or GraphML (networkx).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import networkx as nx
from rdflib import OWL, PROV, RDF, RDFS, XSD, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral

from kg._graph_read import Link, Node, links, nodes, triple_rows
from kg._schema import PHENOTYPE_RELS, REL_TABLES
from kg.store import GraphStore
from pvkg.errors import ConfigError

ExportFormat = Literal["csv", "jsonl", "ttl", "nt", "jsonld", "graphml"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl", "ttl", "nt", "jsonld", "graphml")
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}

PVKG = Namespace("https://w3id.org/pvkg/vocab#")
PVKG_ID = "https://w3id.org/pvkg/id/"
SNOMED = Namespace("http://snomed.info/id/")
RXNORM = Namespace("http://purl.bioontology.org/ontology/RXNORM/")
MEDDRA = Namespace("http://purl.bioontology.org/ontology/MEDDRA/")
UMLS = Namespace("http://identifiers.org/umls/")


def export(store: GraphStore, fmt: ExportFormat, path: str | Path) -> int:
    """Write the export to `path`; returns the rows, triples (RDF) or nodes written."""
    path = Path(path)
    if fmt == "csv":
        return _write_csv(triple_rows(store), path)
    if fmt == "jsonl":
        return _write_jsonl(triple_rows(store), path)
    if fmt in RDF_FORMATS:
        graph = to_rdf(nodes(store), links(store))
        graph.serialize(destination=path, format=RDF_FORMATS[fmt], encoding="utf-8")
        return len(graph)
    if fmt == "graphml":
        network = to_networkx(nodes(store), links(store))
        nx.write_graphml(network, path)
        return int(network.number_of_nodes())
    raise ConfigError(f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


def _write_csv(rows: list[dict[str, Any]], path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return len(rows)


def _write_jsonl(rows: list[dict[str, Any]], path: Path) -> int:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def node_iri(node: Node) -> URIRef:
    """Linked concepts get their vocabulary's standard IRI; everything else a pvkg IRI."""
    props = node.properties
    if node.label == "Drug" and props.get("rxcui"):
        return RXNORM[str(props["rxcui"])]
    if node.label == "AdverseEvent" and props.get("cui"):
        return UMLS[str(props["cui"])]
    return local_iri(node.label, node.key)


def local_iri(label: str, key: str) -> URIRef:
    return URIRef(f"{PVKG_ID}{label.lower()}/{quote(key, safe='')}")


def to_rdf(all_nodes: Iterable[Node], all_links: Iterable[Link]) -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("pvkg", PVKG),
        ("prov", PROV),
        ("snomed", SNOMED),
        ("rxnorm", RXNORM),
        ("meddra", MEDDRA),
        ("umls", UMLS),
    ):
        graph.bind(prefix, namespace)  # fmt: skip
    iris: dict[tuple[str, str], URIRef] = {}
    for node in all_nodes:
        iri = iris[node.label, node.key] = node_iri(node)
        _describe(graph, iri, node)
    for link in all_links:
        _link(graph, iris, link)
    return graph


def _describe(graph: Graph, iri: URIRef, node: Node) -> None:
    graph.add((iri, RDF.type, PVKG[node.label]))
    props = node.properties
    if props.get("name"):
        graph.add((iri, RDFS.label, RdfLiteral(props["name"])))
    if node.label == "Drug" and props.get("cui"):
        graph.add((iri, OWL.sameAs, UMLS[str(props["cui"])]))
    if node.label == "AdverseEvent":
        for field, namespace in (("snomed", SNOMED), ("meddra_pt", MEDDRA)):
            if props.get(field):
                graph.add((iri, OWL.sameAs, namespace[str(props[field])]))
    if node.label in ("Report", "Triple"):
        graph.add((iri, RDF.type, PROV.Entity))
    if node.label == "Triple":
        _provenance(graph, iri, props)
    for name, value in props.items():
        if value is not None and name not in ("name", "extractor", "extractor_version"):
            graph.add((iri, PVKG[name], _literal(value)))


def _provenance(graph: Graph, iri: URIRef, props: dict[str, Any]) -> None:
    version = props.get("extractor_version") or "unknown"
    agent = local_iri("Extractor", f"{props.get('extractor')}/{version}")
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, RdfLiteral(f"{props.get('extractor')} {version}")))
    graph.add((iri, PROV.wasAttributedTo, agent))


def _literal(value: Any) -> RdfLiteral:
    if isinstance(value, bool):
        return RdfLiteral(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return RdfLiteral(value, datatype=XSD.integer)
    if isinstance(value, float):
        return RdfLiteral(value, datatype=XSD.double)
    return RdfLiteral(str(value))


LINK_PREDICATES = {
    "HAS_TRIPLE": None,  # written as prov:wasDerivedFrom, from the triple to its report
    "OF_DRUG": PVKG.drug,
    "OF_EVENT": PVKG.adverseEvent,
    "HAS_DOSE": PVKG.dose,
    "MENTIONS_DRUG": PVKG.mentionsDrug,
    "REPORTS_EVENT": PVKG.reportsEvent,
    "MEETS": PVKG.meets,
    "HAS_NOTE": PVKG.hasNote,
}
ALL_RELS = REL_TABLES + PHENOTYPE_RELS


def _link(graph: Graph, iris: dict[tuple[str, str], URIRef], link: Link) -> None:
    rel = next(table for table in ALL_RELS if table.label == link.label)
    source, target = iris[rel.source, link.source], iris[rel.target, link.target]
    if link.label == "HAS_TRIPLE":
        graph.add((target, PROV.wasDerivedFrom, source))
        return
    if link.label == "MEETS":
        _membership(graph, source, target, link)
    predicate = LINK_PREDICATES[link.label]
    if link.label == "REPORTS_EVENT" and not link.properties.get("affirmed"):
        predicate = PVKG.reportsUnaffirmedEvent
    if predicate is not None:
        graph.add((source, predicate, target))


def _membership(graph: Graph, patient: URIRef, phenotype: URIRef, link: Link) -> None:
    """A qualified MEETS (as PROV qualifies its relations): a node that carries the
    per-criterion statuses and evidence, which a plain triple cannot."""
    node = local_iri("Membership", f"{link.source}|{link.target}")
    graph.add((node, RDF.type, PVKG.PhenotypeMembership))
    graph.add((node, PVKG.patient, patient))
    graph.add((node, PVKG.phenotype, phenotype))
    for name in ("criteria", "evidence"):
        if link.properties.get(name) is not None:
            graph.add((node, PVKG[name], RdfLiteral(str(link.properties[name]))))


def to_networkx(all_nodes: Iterable[Node], all_links: Iterable[Link]) -> nx.MultiDiGraph:
    """A MultiDiGraph keyed `Label:key`; None properties are left out (GraphML has no null)."""
    network = nx.MultiDiGraph()
    for node in all_nodes:
        attrs = {k: v for k, v in node.properties.items() if v is not None}
        network.add_node(f"{node.label}:{node.key}", label=node.label, key=node.key, **attrs)
    ends = {rel.label: (rel.source, rel.target) for rel in ALL_RELS}
    for link in all_links:
        source_label, target_label = ends[link.label]
        attrs = {k: v for k, v in link.properties.items() if v is not None}
        network.add_edge(
            f"{source_label}:{link.source}", f"{target_label}:{link.target}",
            label=link.label, **attrs,
        )  # fmt: skip
    return network
