"""Terminology benchmark: build time, peak RSS, index size, open time, linking throughput.

    .venv/bin/python benchmarks/terminology_scale.py --rows 1000000 [--record]

Generates a synthetic release (benchmarks/terminology_synth.py) in a temporary directory,
builds the index in a child process (its wall time and peak RSS measured with wait4), then
links sampled English atoms of drug / disorder concepts: as written but with case and
punctuation changed (exact path), and with one typo in their longest word (approximate
path). `--record` appends the figures to benchmarks/RESULTS.md under "## Terminology".
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.terminology_synth import generate  # noqa: E402
from normalize.index import open_index  # noqa: E402
from normalize.kinds import Kind  # noqa: E402

_BUILD = (
    "import sys; from pathlib import Path; from normalize.index_build import BuildOptions, "
    "build_index; build_index(Path(sys.argv[1]), Path(sys.argv[2]), BuildOptions(progress=False))"
)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    i = max(range(len(words)), key=lambda j: len(words[j]))
    w = words[i]
    if len(w) < 5:
        return text
    p = rng.randrange(1, len(w) - 2)
    op = rng.choice(("swap", "sub", "del"))
    if op == "swap":
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    elif op == "sub":
        w = w[:p] + rng.choice("aeiou") + w[p + 1 :]
    else:
        w = w[:p] + w[p + 1 :]
    words[i] = w
    return " ".join(words)


def _restyle(text: str, rng: random.Random) -> str:
    text = text.upper() if rng.random() < 0.3 else text.lower()
    return text.replace(" ", rng.choice((" ", "-", "  "))) + rng.choice(("", ".", ";"))


def _build(release: Path, index: Path) -> tuple[float, float]:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", _BUILD, str(release), str(index)]
    proc = subprocess.Popen(command, env=env)  # noqa: S603 - our interpreter, our script
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"build failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024 / 1024


def _throughput(index_dir: Path, mentions: list[tuple[str, str, Kind]]) -> tuple[float, float]:
    with open_index(index_dir) as index:
        started = time.perf_counter()
        hits = sum(index.link(text, kind).cui == cui for text, cui, kind in mentions)
        elapsed = time.perf_counter() - started
    return len(mentions) / elapsed, hits / len(mentions)


def _open_times(index_dir: Path) -> tuple[float, float]:
    started = time.perf_counter()
    index = open_index(index_dir)
    opened = time.perf_counter() - started
    index.link("zzqx", "adverse_event")  # loads the trigram files on first use
    index.link("zzqx", "drug")
    first = time.perf_counter() - started
    index.close()
    return opened, first


def run(rows: int, workdir: Path, n_mentions: int) -> dict[str, float]:
    release, index = workdir / "release", workdir / "index"
    started = time.perf_counter()
    stats = generate(release, rows, mentions=n_mentions)
    generated = time.perf_counter() - started
    conso_gb = (release / "MRCONSO.RRF").stat().st_size / 1e9
    build_s, rss_gb = _build(release, index)
    size_gb = sum(p.stat().st_size for p in index.iterdir()) / 1e9
    opened, first = _open_times(index)
    rng = random.Random(3)  # noqa: S311 - sampling, not secrets
    lines = (release / "mentions.tsv").read_text(encoding="utf-8").splitlines()
    sample = [cast(tuple[str, str, Kind], tuple(x.split("\t"))) for x in lines if x]
    exact = [(_restyle(t, rng), c, k) for t, c, k in sample]
    typos = [(_typo(t, rng), c, k) for t, c, k in sample]
    exact_rate, exact_acc = _throughput(index, exact)
    approx_rate, approx_acc = _throughput(index, typos)
    return {
        "rows": stats.conso_rows,
        "concepts": stats.concepts,
        "mrrel_rows": stats.rel_rows,
        "mrconso_gb": conso_gb,
        "generate_s": generated,
        "build_s": build_s,
        "peak_rss_gb": rss_gb,
        "index_gb": size_gb,
        "open_s": opened,
        "open_and_first_approx_s": first,
        "exact_per_s": exact_rate,
        "exact_same_cui": exact_acc,
        "approx_per_s": approx_rate,
        "approx_same_cui": approx_acc,
        "mentions": len(sample),
    }


def _report(r: dict[str, float]) -> str:
    return (
        f"- {int(r['rows']):,} MRCONSO rows ({r['mrconso_gb']:.2f} GB, "
        f"{int(r['concepts']):,} concepts, {int(r['mrrel_rows']):,} MRREL rows), "
        f"{platform.machine()} with {os.cpu_count()} cores, Python "
        f"{platform.python_version()} (release generated in {r['generate_s']:.0f} s):\n"
        f"  build {r['build_s']:.0f} s, peak RSS {r['peak_rss_gb']:.2f} GB, "
        f"index {r['index_gb']:.2f} GB; open {r['open_s'] * 1000:.0f} ms "
        f"({r['open_and_first_approx_s'] * 1000:.0f} ms with trigram files loaded);\n"
        f"  exact/normalized {r['exact_per_s']:,.0f} mentions/s "
        f"({r['exact_same_cui']:.1%} to the source CUI), approximate "
        f"{r['approx_per_s']:,.0f} mentions/s ({r['approx_same_cui']:.1%} to the source CUI; "
        f"one typo each), {int(r['mentions']):,} mentions\n"
    )


def _record(text: str) -> None:
    results = ROOT / "benchmarks" / "RESULTS.md"
    current = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if "## Terminology" not in current:
        current = current.rstrip("\n") + "\n\n## Terminology\n\n"
        results.write_text(current + text, encoding="utf-8")
        return
    head, _, tail = current.partition("## Terminology")
    section, nl, rest = tail.partition("\n## ")
    results.write_text(
        head + "## Terminology" + section.rstrip("\n") + "\n" + text + (nl + rest if nl else ""),
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pvkg-term-bench-"))
    try:
        text = _report(run(args.rows, workdir, args.mentions))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    if args.record:
        _record(text)


if __name__ == "__main__":
    main()
