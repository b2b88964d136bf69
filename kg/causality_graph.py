"""Naranjo's first question from the graph: "are there previous conclusive reports on this
reaction?" (+1). After a load, each assessed triple's score becomes the score its note
gives (`naranjo_text`, kg/causality.py) plus 1 when other reports in the graph tie the
same drug to the same event by an extracted triple, with `other_reports` their number.
Recomputed over the whole graph, so loading in any order, or again, gives the same scores.
"""

from __future__ import annotations

from collections import defaultdict

from kg.causality import naranjo_category
from kg.store import GraphStore
from pvkg.batching import chunked

BATCH = 5_000
_ASSESSED = """
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(d:Drug),
      (t)-[:OF_EVENT]->(e:AdverseEvent)
WHERE t.naranjo_text IS NOT NULL
RETURN t.key AS triple, d.key AS drug, e.key AS event, r.key AS report,
       t.naranjo_text AS text_score, t.naranjo AS score, t.other_reports AS other
"""
_SET = """
UNWIND $rows AS row
MATCH (t:Triple {key: row.key})
SET t.naranjo = row.naranjo, t.naranjo_category = row.category, t.other_reports = row.other
"""


def rescore(store: GraphStore) -> int:
    """Bring every assessed triple's Naranjo score up to date with the graph; returns how
    many changed."""
    rows = store.run(_ASSESSED)
    reports: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        reports[row["drug"], row["event"]].add(row["report"])
    changed = []
    for row in rows:
        other = len(reports[row["drug"], row["event"]] - {row["report"]})
        score = int(row["text_score"]) + (other > 0)
        if (row["score"], row["other"]) != (score, other):
            changed.append({"key": row["triple"], "naranjo": score,
                            "category": naranjo_category(score), "other": other})  # fmt: skip
    for batch in chunked(changed, BATCH):
        store.run(_SET, {"rows": batch})
    return len(changed)
