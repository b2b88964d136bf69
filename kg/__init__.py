"""kg: the graph stage. Normalized triples and case reports go into a store — embedded
LadybugDB (a directory, the default) or Neo4j (a bolt:// URI), one schema for both
(`docs/schema.md`) — and come out as drug–event counts over unique reports, signal
statistics (PRR, ROR, χ², IC, EBGM), evidence sentences and exports (CSV, JSONL, RDF,
GraphML).

Names are imported on first use, so `import kg` loads neither a driver nor scipy. kg never
imports an extractor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvkg.lazy import lazy_names

if TYPE_CHECKING:
    from kg.counts import pair_counts, pair_table
    from kg.disproportionality import Signal, compute_signal_table, compute_signals
    from kg.evidence import PairEvidence, pair_evidence
    from kg.export import FORMATS, ExportFormat, export
    from kg.load import LoadSummary, load
    from kg.methods import DEFAULT_METHODS, METHODS
    from kg.options import CountOptions
    from kg.signal_table import SignalTable
    from kg.store import GraphStore, is_neo4j_uri, open_store

# Each public name and the module it comes from.
_HOMES = {
    "open_store": "store",
    "GraphStore": "store",
    "is_neo4j_uri": "store",
    "load": "load",
    "LoadSummary": "load",
    "CountOptions": "options",
    "SignalOptions": "options",
    "StoreOptions": "options",
    "pair_counts": "counts",
    "pair_table": "counts",
    "Signal": "disproportionality",
    "compute_signals": "disproportionality",
    "compute_signal_table": "disproportionality",
    "SignalTable": "signal_table",
    "DEFAULT_METHODS": "methods",
    "METHODS": "methods",
    "PairEvidence": "evidence",
    "pair_evidence": "evidence",
    "export": "export",
    "ExportFormat": "export",
    "FORMATS": "export",
}
__all__ = [
    "DEFAULT_METHODS",
    "FORMATS",
    "METHODS",
    "CountOptions",
    "ExportFormat",
    "GraphStore",
    "LoadSummary",
    "PairEvidence",
    "Signal",
    "SignalOptions",
    "SignalTable",
    "StoreOptions",
    "compute_signal_table",
    "compute_signals",
    "export",
    "is_neo4j_uri",
    "load",
    "open_store",
    "pair_counts",
    "pair_evidence",
    "pair_table",
]


__getattr__ = lazy_names(__name__, _HOMES)
