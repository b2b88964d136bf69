"""What `SentenceIndex.compact` buys after incremental indexing: query latency on a LanceDB
table written as many small batches (one fragment each, as `pvkg phenotype index` writes),
then after a re-index that changes some notes (deletes), then after compaction.

    .venv/bin/python benchmarks/sentence_index_compaction.py [--rows 50000] [--batch 512]

Rows are synthetic: random unit vectors (384 dimensions, latency does not depend on what
they mean), 2,000 patients, 5 sentences a note. Below `ANN_MIN_ROWS` search is exact, as
for most single-site cohorts; `--rows` above it builds the IVF-SQ index first. Latency is
single-query p50 / p95 over 200 queries, everyone and one patient (B-tree prefilter).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sentence_index import Sentence, SentenceIndex  # noqa: E402

DIM = 384
PATIENTS = 2_000
PER_NOTE = 5
QUERIES = 200


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def sentences(rows: int, version: str = "") -> list[Sentence]:
    return [Sentence(f"P{(i // PER_NOTE) % PATIENTS:05d}", f"n{i // PER_NOTE}",
                     i % PER_NOTE * 40, i % PER_NOTE * 40 + 39, f"sentence {i}{version}")
            for i in range(rows)]  # fmt: skip


def latency(index: SentenceIndex, rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for name, patient in (("everyone", False), ("one patient", True)):
        times = []
        for q in unit(rng, QUERIES):
            who = f"P{rng.integers(PATIENTS):05d}" if patient else None
            started = time.perf_counter()
            index.search(q, 10, patient=who)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[f"{name} p50"] = round(statistics.median(times), 1)
        out[f"{name} p95"] = round(times[int(0.95 * len(times))], 1)
    return out


def fragments(index: SentenceIndex) -> int:
    return int(index._table.stats()["fragment_stats"]["num_fragments"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--changed-notes", type=int, default=1_000)
    args = parser.parse_args()
    rng = np.random.default_rng(3)
    index = SentenceIndex(Path(tempfile.mkdtemp(prefix="pvkg-compact-")), DIM)
    rows = sentences(args.rows)
    started = time.perf_counter()
    for start in range(0, len(rows), args.batch):
        index.add(rows[start : start + args.batch], lambda texts: unit(rng, len(texts)))
    print(f"wrote {len(index)} rows in {time.perf_counter() - started:.1f} s; "
          f"ann built: {index.build_ann()}", flush=True)  # fmt: skip
    print("appended:", fragments(index), "fragments", latency(index, rng), flush=True)
    notes = [f"n{i}" for i in rng.choice(args.rows // PER_NOTE, args.changed_notes, replace=False)]
    changed = [s for s in sentences(args.rows, "'") if s.note_id in set(notes)]
    index.add(changed, lambda texts: unit(rng, len(texts)))
    removed = index.drop_stale(notes, {s.id for s in changed})
    print(f"re-indexed {len(notes)} changed notes: {len(changed)} added, {removed} removed; "
          f"{fragments(index)} fragments", latency(index, rng), flush=True)  # fmt: skip
    started = time.perf_counter()
    index.compact()
    print(f"compacted in {time.perf_counter() - started:.1f} s:", fragments(index), "fragments",
          latency(index, rng), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
