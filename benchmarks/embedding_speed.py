"""Sentence-embedding throughput of the product's encoder (`SentenceEncoder`, what
`pvkg phenotype index` runs), against the issue's target of 500 sentences/s on 2 cores and
against the encoder as it was before length batching (batch 64 in the order given, float32).

    flock /tmp/pvkg-bench.lock .venv/bin/python benchmarks/embedding_speed.py \\
        [--sample 2048] [--threads 2] [--recall-corpus 10000] [--onnx-int8]

Sentences: a seeded random sample of the distinct ADE corpus sentences (the ones
benchmarks/vector_store.py indexes). Each setting embeds the same sample after one warm-up
batch; tokenisation is timed with the model. Quality: the cosine of each embedding to the
float32 one, and recall@10 of exact search over `--recall-corpus` sentences for 300 other
sentences as queries, against the float32 encoder's own top 10.

`--onnx-int8` also times an experiment the product does not ship: the model exported to
ONNX (eager attention, so onnxruntime fuses it), optimised by onnxruntime's BERT fusions and
dynamically quantised to int8 per channel, on onnxruntime with `--threads` threads (needs
`pip install onnx onnxruntime`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.vector_store import load_sentences  # noqa: E402
from extract.phenotype.embedder import MAX_TOKENS, SentenceEncoder  # noqa: E402

TARGET = 500.0
SEED = 7
QUERIES = 300
Encode = Callable[[Sequence[str]], np.ndarray]


def throughput(encode: Encode, texts: Sequence[str], warmup: int = 32) -> float:
    encode(texts[:warmup])
    started = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - started)


def unsorted(encoder: SentenceEncoder, batch_size: int = 64) -> Encode:
    """The encoder as it was: fixed batches in the order given, padded to each batch's
    longest sentence."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        parts = [encoder._batch(list(texts[s : s + batch_size]))
                 for s in range(0, len(texts), batch_size)]  # fmt: skip
        return np.concatenate(parts)

    return encode


def recall_at_10(reference: Encode, other: Encode, corpus: list[str], queries: list[str]) -> float:
    def top10(encode: Encode) -> np.ndarray:
        return np.argsort(-(encode(queries) @ encode(corpus).T), axis=1)[:, :10]

    truth, got = top10(reference), top10(other)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got, strict=True)]))


def onnx_int8(threads: int) -> Encode:
    import onnx
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel, AutoTokenizer

    from extract.finetune.encoder.base import base_model_dir

    folder = base_model_dir(None)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # type: ignore[no-any-return]

    work = Path(tempfile.mkdtemp(prefix="pvkg-onnx-"))
    dummy = tokenizer(["a short one", "and a longer sentence"], padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(Hidden(), (dummy["input_ids"], dummy["attention_mask"]), work / "m.onnx",
                      input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
                      opset_version=17, dynamo=False)  # fmt: skip
    fused = optimizer.optimize_model(str(work / "m.onnx"), model_type="bert", num_heads=12,
                                     hidden_size=model.config.hidden_size)  # fmt: skip
    fused.save_model_to_file(str(work / "fused.onnx"))
    quantize_dynamic(work / "fused.onnx", work / "int8.onnx", weight_type=QuantType.QInt8,
                     per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fmt: skip
    settings = ort.SessionOptions()
    settings.intra_op_num_threads, settings.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(work / "int8.onnx"), settings,
                                   providers=["CPUExecutionProvider"])  # fmt: skip
    inputs = {i.name for i in session.get_inputs()}

    def encode(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True,
                              max_length=MAX_TOKENS, return_tensors="np")  # fmt: skip
            feed = {k: v.astype(np.int64) for k, v in batch.items() if k in inputs}
            hidden = session.run(None, feed)[0]
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--recall-corpus", type=int, default=10_000)
    parser.add_argument("--onnx-int8", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    sentences = load_sentences(args.data)
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(sentences))
    sample = [sentences[i] for i in order[: args.sample]]
    corpus = [sentences[i] for i in order[: args.recall_corpus]]
    queries = [sentences[i] for i in order[args.recall_corpus : args.recall_corpus + QUERIES]]

    exact = SentenceEncoder(dtype="float32")
    settings: list[tuple[str, Encode]] = [
        ("float32, batch 64 in the given order (before)", unsorted(exact)),
        ("float32, batched by length (batch 32)", exact.encode),
        ("bfloat16, batched by length (batch 32)", SentenceEncoder(dtype="bfloat16").encode),
    ]
    if args.onnx_int8:
        settings.append(("int8 onnxruntime, fused, batched by length (experiment)",
                         onnx_int8(args.threads)))  # fmt: skip
    reference = exact.encode(sample)
    before: float | None = None
    auto = SentenceEncoder(dtype="auto").dtype
    print(f"auto is {auto} here; {len(sample)} sentences, {args.threads} threads, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    for name, encode in settings:
        rate = throughput(encode, sample)
        before = before or rate
        cosine = np.einsum("ij,ij->i", encode(sample), reference)
        row = {"setting": name, "sentences_per_s": round(rate, 1),
               "x_before": round(rate / before, 2), "x_target_500": round(rate / TARGET, 2),
               "cosine_to_float32_median": round(float(np.median(cosine)), 5),
               "cosine_to_float32_min": round(float(cosine.min()), 5)}  # fmt: skip
        if name.startswith(("bfloat16", "int8")):
            row["recall_at_10_vs_float32"] = round(
                recall_at_10(exact.encode, encode, corpus, queries), 4
            )
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
