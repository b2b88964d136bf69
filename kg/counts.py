"""Per drug-event counts over unique reports, read from a store with the Cypher files in
`kg/cypher/` (the same text runs on LadybugDB and Neo4j).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kg.disproportionality import StratumRow, stratified_expected
from kg.options import CountOptions
from kg.pair_table import PairCounts, PairTable
from kg.store import ColumnReader, GraphStore
from pvkg.errors import ConfigError

STRATA = ("sex", "age_group")
COUNTED_ASSERTIONS = ("present", "historical")
ALL_ASSERTIONS = ("present", "historical", "negated", "speculated", "family")
# Reports per slice of drugs counted at once in Neo4j (see `_pair_rows`).
SLICE_REPORTS = 200_000


def cypher(name: str) -> str:
    """The text of `kg/cypher/<name>.cypher`, ready to run (trailing semicolon dropped)."""
    text = resources.files("kg").joinpath("cypher", f"{name}.cypher").read_text("utf-8")
    return text.strip().removesuffix(";")


def pair_counts(store: GraphStore, options: CountOptions = CountOptions()) -> list[PairCounts]:
    """Every drug-event pair with a >= min_count, with its marginals and N."""
    return pair_table(store, options).pairs()


def pair_table(store: GraphStore, options: CountOptions = CountOptions()) -> PairTable:
    """`pair_counts` as columns, sorted by a (largest first), then drug and event name."""
    params = {"all_assertions": options.all_assertions}
    drugs = _marginals(store.run(cypher("drug_counts"), params))
    events = _marginals(store.run(cypher("event_counts"), params))
    n_reports = int(store.run(cypher("report_count"))[0]["n"])
    found = _pair_columns(store, options, drugs)
    a = np.asarray(found["a"], dtype=np.int64)
    keep = np.flatnonzero(a >= options.min_count).tolist()
    drug_keys = [found["drug_key"][i] for i in keep]
    event_keys = [found["event_key"][i] for i in keep]
    expected = (
        _stratified_expected(store, options, drug_keys, event_keys) if options.stratum else {}
    )
    drug_of = [drugs[key] for key in drug_keys]
    event_of = [events[key] for key in event_keys]
    table = PairTable(
        drug=[name for name, _ in drug_of],
        event=[name for name, _ in event_of],
        a=a[keep],
        n_drug=np.fromiter((n for _, n in drug_of), np.int64, len(keep)),
        n_event=np.fromiter((n for _, n in event_of), np.int64, len(keep)),
        n_reports=np.full(len(keep), n_reports, dtype=np.int64),
        expected=_expected_column(expected, drug_keys, event_keys),
    )
    return table.by_count()


def _expected_column(
    expected: Mapping[tuple[str, str], float], drug_keys: list[str], event_keys: list[str]
) -> NDArray[np.float64]:
    """The stratified expected count of each pair; NaN (not stratified) when none is given."""
    if not expected:
        return np.full(len(drug_keys), np.nan)
    pairs = zip(drug_keys, event_keys, strict=True)
    return np.fromiter((expected.get(pair, np.nan) for pair in pairs), np.float64, len(drug_keys))


def _pair_columns(
    store: GraphStore, options: CountOptions, drugs: Mapping[str, tuple[str, int]]
) -> dict[str, list[Any]]:
    """drug_key, event_key and a of every counted pair, as columns."""
    if isinstance(store, ColumnReader) and options.mode == "co-reported":
        params = {"all_assertions": options.all_assertions}
        return store.run_columns(cypher("pair_counts"), params)
    rows = _pair_rows(store, options, drugs)
    return {name: [row[name] for row in rows] for name in ("drug_key", "event_key", "a")}


def _pair_rows(
    store: GraphStore, options: CountOptions, drugs: Mapping[str, tuple[str, int]]
) -> list[dict[str, Any]]:
    if options.mode == "causal":
        assertions = ALL_ASSERTIONS if options.all_assertions else COUNTED_ASSERTIONS
        if options.min_causality is None:
            return store.run(cypher("causal_pair_counts"), {"assertions": list(assertions)})
        params = {"assertions": list(assertions), "min_naranjo": options.min_causality}
        return store.run(cypher("causal_pair_counts_min_naranjo"), params)
    params = {"all_assertions": options.all_assertions}
    if store.kind != "neo4j":
        return store.run(cypher("pair_counts"), params)
    # One all-pairs query over a million reports outgrew a 1 GB heap's transaction memory.
    rows: list[dict[str, Any]] = []
    for keys in drug_slices(drugs):
        rows += store.run(cypher("pair_counts_of_drugs"), params | {"drug_keys": keys})
    return rows


def drug_slices(
    drugs: Mapping[str, tuple[str, int]], reports: int = SLICE_REPORTS
) -> Iterator[list[str]]:
    """Drug keys in slices whose drugs have at most `reports` reports between them (a drug
    with more has a slice of its own): a bound on what one slice's count holds."""
    keys: list[str] = []
    total = 0
    for key, (_, n) in drugs.items():
        if keys and total + n > reports:
            yield keys
            keys, total = [], 0
        keys.append(key)
        total += n
    if keys:
        yield keys


def _marginals(rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, int]]:
    return {row["key"]: (row["name"], int(row["n"])) for row in rows}


def _stratified_expected(
    store: GraphStore, options: CountOptions, drug_keys: Sequence[str], event_keys: Sequence[str]
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
        StratumRow(drug, event, s, n_drug, event_s[event][s], sizes[s])
        for drug, event in zip(drug_keys, event_keys, strict=True)
        for s, n_drug in drug_s[drug].items()
        if s in event_s[event]
    )


def _per_stratum(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        table[row["key"]][row["stratum"]] = int(row["n"])
    return table
