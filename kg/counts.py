"""Per drug-event counts over unique reports, read from a store with the Cypher files in
`kg/cypher/` (the same text runs on LadybugDB and Neo4j).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from kg.disproportionality import PairCounts, StratumRow, stratified_expected
from kg.store import GraphStore
from pvkg.errors import ConfigError

Mode = Literal["co-reported", "causal"]
STRATA = ("sex", "age_group")
COUNTED_ASSERTIONS = ("present", "historical")
ALL_ASSERTIONS = ("present", "historical", "negated", "speculated", "family")


def cypher(name: str) -> str:
    """The text of `kg/cypher/<name>.cypher`, ready to run (trailing semicolon dropped)."""
    text = resources.files("kg").joinpath("cypher", f"{name}.cypher").read_text("utf-8")
    return text.strip().removesuffix(";")


@dataclass(frozen=True)
class CountOptions:
    """What counts: co-reported pairs or extracted causal pairs, and which assertions."""

    mode: Mode = "co-reported"
    all_assertions: bool = False
    stratum: str | None = None
    min_count: int = 1


def pair_counts(store: GraphStore, options: CountOptions = CountOptions()) -> list[PairCounts]:
    """Every drug-event pair with a >= min_count, with its marginals and N."""
    params = {"all_assertions": options.all_assertions}
    drugs = _marginals(store.run(cypher("drug_counts"), params))
    events = _marginals(store.run(cypher("event_counts"), params))
    n_reports = int(store.run(cypher("report_count"))[0]["n"])
    rows = [row for row in _pair_rows(store, options) if row["a"] >= options.min_count]
    expected = _stratified_expected(store, options, rows) if options.stratum else {}
    pairs = []
    for row in rows:
        drug_name, n_drug = drugs[row["drug_key"]]
        event_name, n_event = events[row["event_key"]]
        pairs.append(
            PairCounts(
                drug=drug_name,
                event=event_name,
                a=int(row["a"]),
                n_drug=n_drug,
                n_event=n_event,
                n_reports=n_reports,
                expected=expected.get((row["drug_key"], row["event_key"])),
            )
        )
    pairs.sort(key=lambda p: (-p.a, p.drug, p.event))
    return pairs


def _pair_rows(store: GraphStore, options: CountOptions) -> list[dict[str, Any]]:
    if options.mode == "causal":
        assertions = ALL_ASSERTIONS if options.all_assertions else COUNTED_ASSERTIONS
        return store.run(cypher("causal_pair_counts"), {"assertions": list(assertions)})
    return store.run(cypher("pair_counts"), {"all_assertions": options.all_assertions})


def _marginals(rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, int]]:
    return {row["key"]: (row["name"], int(row["n"])) for row in rows}


def _stratified_expected(
    store: GraphStore, options: CountOptions, pairs: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], float]:
    """E = sum over strata of n_drug_s * n_event_s / n_s, for every pair seen together."""
    stratum = options.stratum or ""
    if stratum not in STRATA:
        raise ConfigError(
            f"unknown stratum {stratum!r}", hint=f"choose one of: {', '.join(STRATA)}"
        )
    params = {"all_assertions": options.all_assertions}
    by_stratum = {
        name: store.run(cypher(f"{name}_by_stratum").replace("STRATUM", stratum), params)
        for name in ("drug_counts", "event_counts")
    }
    sizes = {
        row["stratum"]: int(row["n"])
        for row in store.run(cypher("report_count_by_stratum").replace("STRATUM", stratum))
    }
    drug_s = _per_stratum(by_stratum["drug_counts"])
    event_s = _per_stratum(by_stratum["event_counts"])
    return stratified_expected(
        StratumRow(row["drug_key"], row["event_key"], s, n_drug, event_s[row["event_key"]][s],
                   sizes[s])
        for row in pairs
        for s, n_drug in drug_s[row["drug_key"]].items()
        if s in event_s[row["event_key"]]
    )  # fmt: skip


def _per_stratum(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        table[row["key"]][row["stratum"]] = int(row["n"])
    return table
