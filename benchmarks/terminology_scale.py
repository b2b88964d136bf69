"""Terminology benchmark: build time, peak RSS, index size, open time, linking throughput.

    .venv/bin/python benchmarks/terminology_scale.py --rows 1000000 [--quickumls N] [--record]
        [--workdir DIR] [--release DIR] [--repeat N]

Generates a synthetic release (benchmarks/terminology_synth.py) in a temporary directory,
builds the index in a child process (its wall time and peak RSS measured with wait4), then
links sampled English atoms of drug / disorder concepts: as written but with case and
punctuation changed (exact path), and with one typo in their longest word (approximate
path), one at a time (`link`) and in batches of 1,000 (`link_many`), each run with a freshly
opened index (cold caches). Rates are mentions per second of wall time and per second of
the process's CPU time (which a busy shared machine disturbs less), each the median of
`--repeat` runs (3): on this 2-core machine one run's CPU rate moves by a third with what
the other core is doing. `--quickumls` also
builds a QuickUMLS index of the same release and links the same mentions through it.
`--record` appends the figures to benchmarks/RESULTS.md under "## Terminology". `--workdir`
keeps the release and index; `--release` reuses a release kept that way (`--rows` is then
ignored; a 21M-row release takes minutes to write).
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
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any, Protocol, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.terminology_synth import SynthStats, generate  # noqa: E402
from normalize import Kind, LinkResult, open_index  # noqa: E402

_BUILD = (
    "import sys; from pathlib import Path; from normalize import BuildOptions, "
    "build_index; build_index(Path(sys.argv[1]), Path(sys.argv[2]), BuildOptions(progress=False))"
)
_BUILD_QUICKUMLS = (
    "import sys; from pathlib import Path; from normalize import "
    "build_quickumls; build_quickumls(Path(sys.argv[1]), Path(sys.argv[2]))"
)
_BATCH = 1_000
Mention = tuple[str, str, Kind]


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


def _build(release: Path, index: Path, script: str = _BUILD) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in GB) of a build in a child process."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", script, str(release), str(index)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"build failed with status {status}")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / 1024 / 1024


class _Linker(Protocol):
    def link(self, text: str, kind: Kind) -> LinkResult: ...
    def link_many(self, texts: list[str], kind: Kind) -> list[LinkResult]: ...


def _links(linker: _Linker, mentions: list[Mention], batched: bool) -> int:
    if not batched:
        return sum(linker.link(text, kind).cui == cui for text, cui, kind in mentions)
    hits = 0
    for start in range(0, len(mentions), _BATCH):
        chunk = mentions[start : start + _BATCH]
        for kind in ("drug", "adverse_event"):
            mine = [(t, c) for t, c, k in chunk if k == kind]
            found = linker.link_many([t for t, _ in mine], kind)
            hits += sum(r.cui == c for r, (_, c) in zip(found, mine, strict=True))
    return hits


def _throughput(
    open_linker: Callable[[], Any], mentions: list[Mention], batched: bool, repeat: int = 1
) -> tuple[float, float, float, tuple[float, float]]:
    """(mentions per wall second, per CPU second, share linked to the source CUI, lowest and
    highest per CPU second): medians of `repeat` runs, each on a freshly opened linker."""
    walls, cpus = [], []
    for _ in range(repeat):
        with open_linker() as linker:
            linker.link("zzqx", "adverse_event")  # loads the trigram files
            linker.link("zzqx", "drug")
            wall, cpu = time.perf_counter(), time.process_time()
            hits = _links(linker, mentions, batched)
            walls.append(len(mentions) / (time.perf_counter() - wall))
            cpus.append(len(mentions) / (time.process_time() - cpu))
    return median(walls), median(cpus), hits / len(mentions), (min(cpus), max(cpus))


def _open_times(index_dir: Path) -> tuple[float, float]:
    started = time.perf_counter()
    index = open_index(index_dir)
    opened = time.perf_counter() - started
    index.link("zzqx", "adverse_event")  # loads the trigram files on first use
    index.link("zzqx", "drug")
    first = time.perf_counter() - started
    index.close()
    return opened, first


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))


def _reused(release: Path) -> SynthStats:
    """The counts of a release that `generate` wrote earlier (CUIs are numbered in order)."""
    conso = release / "MRCONSO.RRF"
    with conso.open("rb") as f:
        f.seek(max(0, conso.stat().st_size - 4096))
        last_cui = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1].split(b"|", 1)[0]
    return SynthStats(
        conso_rows=_lines(conso),
        concepts=int(last_cui[1:]),
        rel_rows=_lines(release / "MRREL.RRF"),
        mentions=_lines(release / "mentions.tsv"),
    )


def run(
    rows: int,
    workdir: Path,
    n_mentions: int,
    quickumls: int,
    reuse: Path | None = None,
    repeat: int = 3,
) -> dict[str, float]:
    release, index = reuse or workdir / "release", workdir / "index"
    started = time.perf_counter()
    stats = _reused(release) if reuse else generate(release, rows, mentions=n_mentions)
    generated = time.perf_counter() - started
    conso_gb = (release / "MRCONSO.RRF").stat().st_size / 1e9
    build_s, build_cpu_s, rss_gb = _build(release, index)
    size_gb = sum(p.stat().st_size for p in index.iterdir()) / 1e9
    opened, first = _open_times(index)
    rng = random.Random(3)  # noqa: S311 - sampling, not secrets
    lines = (release / "mentions.tsv").read_text(encoding="utf-8").splitlines()
    sample = [cast(Mention, tuple(x.split("\t"))) for x in lines if x]
    sets = {
        "exact": [(_restyle(t, rng), c, k) for t, c, k in sample],
        "approx": [(_typo(t, rng), c, k) for t, c, k in sample],
    }
    out = {
        "rows": stats.conso_rows,
        "concepts": stats.concepts,
        "mrrel_rows": stats.rel_rows,
        "mrconso_gb": conso_gb,
        "generate_s": generated,
        "reused": reuse is not None,
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "peak_rss_gb": rss_gb,
        "index_gb": size_gb,
        "open_s": opened,
        "open_and_first_approx_s": first,
        "mentions": len(sample),
        "repeat": repeat,
    }
    for name, mentions in sets.items():
        for mode, batched in (("single", False), ("batch", True)):
            rate, cpu_rate, same, (low, high) = _throughput(
                lambda: open_index(index), mentions, batched, repeat
            )
            out |= {f"{name}_{mode}_per_s": rate, f"{name}_{mode}_per_cpu_s": cpu_rate}
            out |= {f"{name}_{mode}_cpu_low": low, f"{name}_{mode}_cpu_high": high}
            out[f"{name}_same_cui"] = same
    if quickumls:
        out |= _quickumls(release, workdir / "quickumls", sets, quickumls)
    return out


def _quickumls(
    release: Path, directory: Path, sets: dict[str, list[Mention]], n: int
) -> dict[str, float]:
    from normalize import open_quickumls

    build_s, _, rss_gb = _build(release, directory, _BUILD_QUICKUMLS)
    out = {
        "qu_build_s": build_s,
        "qu_peak_rss_gb": rss_gb,
        "qu_index_gb": sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e9,
        "qu_mentions": min(n, len(sets["exact"])),
    }
    for name, mentions in sets.items():
        rate, cpu_rate, same, _ = _throughput(
            lambda: open_quickumls(directory), mentions[:n], False
        )
        out |= {f"qu_{name}_per_s": rate, f"qu_{name}_per_cpu_s": cpu_rate}
        out[f"qu_{name}_same_cui"] = same
    return out


def _report(r: dict[str, float]) -> str:
    text = (
        f"- {int(r['rows']):,} MRCONSO rows ({r['mrconso_gb']:.2f} GB, "
        f"{int(r['concepts']):,} concepts, {int(r['mrrel_rows']):,} MRREL rows), "
        f"{platform.machine()} with {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end "
        f"({'release reused' if r['reused'] else 'release generated'} in "
        f"{r['generate_s']:.0f} s):\n"
        f"  build {r['build_s']:.0f} s ({r['build_cpu_s']:.0f} CPU-s), "
        f"peak RSS {r['peak_rss_gb']:.2f} GB, "
        f"index {r['index_gb']:.2f} GB; open {r['open_s'] * 1000:.0f} ms "
        f"({r['open_and_first_approx_s'] * 1000:.0f} ms with trigram files loaded);\n"
    )
    for name, label in (("exact", "exact/normalized"), ("approx", "approximate (one typo)")):
        text += (
            f"  {label}: {r[f'{name}_single_per_s']:,.0f}/s one at a time "
            f"({r[f'{name}_single_per_cpu_s']:,.0f} per CPU-s), "
            f"{r[f'{name}_batch_per_s']:,.0f}/s batched "
            f"({r[f'{name}_batch_per_cpu_s']:,.0f} per CPU-s; runs "
            f"{r[f'{name}_batch_cpu_low']:,.0f}–{r[f'{name}_batch_cpu_high']:,.0f}), "
            f"{r[f'{name}_same_cui']:.1%} to the source CUI\n"
        )
    text += (
        f"  {int(r['mentions']):,} mentions per set; each rate the median of "
        f"{int(r['repeat'])} runs, each on a freshly opened index\n"
    )
    if "qu_build_s" in r:
        text += (
            f"  QuickUMLS 1.4.2 on the same release: build {r['qu_build_s']:.0f} s "
            f"({r['qu_build_s'] / r['build_s']:.1f}x ours), peak RSS "
            f"{r['qu_peak_rss_gb']:.2f} GB, index {r['qu_index_gb']:.2f} GB;\n"
        )
        for name, label in (("exact", "exact/normalized"), ("approx", "approximate")):
            text += (
                f"  QuickUMLS {label}: {r[f'qu_{name}_per_s']:,.0f}/s "
                f"({r[f'qu_{name}_per_cpu_s']:,.0f} per CPU-s; ours one at a time is "
                f"{r[f'{name}_single_per_cpu_s'] / r[f'qu_{name}_per_cpu_s']:.1f}x, batched "
                f"{r[f'{name}_batch_per_cpu_s'] / r[f'qu_{name}_per_cpu_s']:.1f}x), "
                f"{r[f'qu_{name}_same_cui']:.1%} to the source CUI, "
                f"{int(r['qu_mentions']):,} mentions\n"
            )
    return text


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
    parser.add_argument(
        "--quickumls", type=int, default=0, metavar="N", help="also QuickUMLS, on N mentions"
    )
    parser.add_argument(
        "--release", type=Path, default=None, help="reuse a release generated by an earlier run"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per linking rate (median reported)"
    )
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pvkg-term-bench-"))
    try:
        text = _report(
            run(args.rows, workdir, args.mentions, args.quickumls, args.release, args.repeat)
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(text)
    if args.record:
        _record(text)


if __name__ == "__main__":
    main()
