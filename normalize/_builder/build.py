"""Build a terminology index from a UMLS or RxNorm release: `build_index`.

The index is a directory: `index.sqlite` (concepts, keys, codes, semantic types, roll-ups),
one trigram index per mention kind, and `manifest.json`. It is built in a sibling
`<name>.partial` directory and moved into place only when complete.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loaders.release import Release, find_release
from loaders.rrf import AtomFilter, ErrorBudget, read_sab
from normalize._builder.exact_table import build_exact_table
from normalize._builder.ingest import id_parser, ingest_conso, ingest_rel, ingest_sty
from normalize._builder.ngram_index import build_ngram_index
from normalize._builder.progress import Steps
from normalize._builder.rollup import build_ingredients, build_meddra_pts
from normalize._builder.tables import (
    FILL,
    FILL_CARDS,
    FILL_LEXICON,
    FILL_SEMANTIC_TYPES,
    FILL_TERMS,
    STAGE_FILE,
    fill_concepts,
    open_for_build,
)
from normalize._common.kinds import ADVERSE_EVENT_TUIS, DRUG_TUIS, KIND_BITS, KINDS, Kind
from normalize._common.manifest import (
    MANIFEST_FILE,
    Filters,
    Manifest,
    SourceFile,
    Vocabulary,
    write_manifest,
)
from normalize._common.ngram_layout import approx_stem
from normalize._common.schema import SCHEMA_VERSION
from pvkg import __version__
from pvkg.errors import ConfigError, InputError, TerminologyError

OnError = Callable[[InputError], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to index: atom filters, tolerated malformed lines, kinds with approximate matching."""

    filters: AtomFilter = field(default_factory=AtomFilter)
    max_errors: int = 100
    approx_kinds: tuple[Kind, ...] = KINDS
    progress: bool = True


def build_index(
    rrf_dir: Path,
    out_dir: Path,
    options: BuildOptions | None = None,
    on_error: OnError | None = None,
) -> Manifest:
    """Index the release in `rrf_dir` into `out_dir`; malformed lines go to `on_error`."""
    options = options or BuildOptions()
    release = find_release(rrf_dir)
    _check_target(out_dir)
    work = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    try:
        manifest = _build(
            release, work, options, ErrorBudget(options.max_errors, on_error), started
        )
        _replace(work, out_dir)
    except sqlite3.Error as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise TerminologyError(f"index build failed: {exc}", hint="check free disk space") from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and (
        not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MANIFEST_FILE).is_file())
    ):
        raise ConfigError(
            f"{out_dir} exists and is not a pvkg terminology index",
            hint="choose an empty or new directory for -o",
        )


def _replace(work: Path, out_dir: Path) -> None:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    work.rename(out_dir)


def _build(
    release: Release, work: Path, options: BuildOptions, errors: ErrorBudget, started: float
) -> Manifest:
    db = open_for_build(work)
    counts: dict[str, int] = {}
    with Steps(options.progress) as steps:
        db.execute("BEGIN")
        _load(db, release, options, errors, steps, counts)
        _finish(db, steps, counts)
        for kind in options.approx_kinds:
            with steps.step(f"trigram index: {kind}"):
                stats = build_ngram_index(db, KIND_BITS[kind], work, approx_stem(kind))
            counts |= {f"approx_{kind}_{k}": v for k, v in vars(stats).items()}
        for kind, bit in KIND_BITS.items():
            with steps.step(f"exact-key table: {kind}"):
                counts[f"exact_{kind}_collisions"] = build_exact_table(db, bit, work, kind)
        db.execute("COMMIT")
    db.execute("DETACH DATABASE stage")
    db.close()
    (work / STAGE_FILE).unlink()
    manifest = _manifest(release, options, errors, counts, time.perf_counter() - started)
    write_manifest(work, manifest)
    return manifest


def _load(
    db: sqlite3.Connection,
    release: Release,
    options: BuildOptions,
    errors: ErrorBudget,
    steps: Steps,
    counts: dict[str, int],
) -> None:
    parse = id_parser(release.kind)
    with steps.step(release.sty.name):
        counts["semantic_type_rows"] = ingest_sty(db, release.sty, parse, errors)
    with steps.reading(release.conso) as advance:
        conso = ingest_conso(db, release.conso, parse, errors, options.filters, advance)
    counts |= {"atoms_kept": conso.atoms, "concept_runs": conso.runs}
    if release.rel is not None:
        with steps.reading(release.rel) as advance:
            counts["relation_rows"] = ingest_rel(
                db, release.rel, parse, errors, options.filters.suppressed, advance
            )


def _finish(db: sqlite3.Connection, steps: Steps, counts: dict[str, int]) -> None:
    for name, sql in FILL.items():
        with steps.step(f"sorting {name}"):
            db.execute(sql)
    with steps.step("concepts"):
        fill_concepts(db, DRUG_TUIS, ADVERSE_EVENT_TUIS)
    with steps.step("sorting terms"):
        db.execute(FILL_TERMS)
    with steps.step("roll-ups"):
        build_ingredients(db)
        build_meddra_pts(db)
    with steps.step("concept cards"):
        db.execute(FILL_SEMANTIC_TYPES)
        db.execute(FILL_CARDS)
    with steps.step("lexicon"):
        db.execute(FILL_LEXICON)
    with steps.step("codes by code"):  # roll-up targets are looked up by RXCUI
        db.execute("CREATE INDEX codes_by_code ON codes (code, sab, tty)")
    for table in ("concepts", "terms", "codes", "sty", "rel", "ingredients", "meddra_pt", "cards",
                  "lexicon"):  # fmt: skip
        (counts[table],) = db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608


def _vocabularies(release: Release, options: BuildOptions) -> list[Vocabulary]:
    if release.sab is None:
        return []
    wanted = options.filters.sources
    # MRSAB is a few hundred rows; its own malformed lines fail loudly.
    rows = read_sab(release.sab, ErrorBudget(0))
    return [
        Vocabulary(sab=r.rsab, version=r.vsab, name=r.son)
        for r in rows
        if r.curver == "Y" and (wanted is None or r.rsab in wanted)
    ]


def _manifest(
    release: Release,
    options: BuildOptions,
    errors: ErrorBudget,
    counts: dict[str, int],
    seconds: float,
) -> Manifest:
    f = options.filters
    return Manifest(
        pvkg_version=__version__,
        schema_version=SCHEMA_VERSION,
        release_kind=release.kind,
        release_dir=str(release.directory.resolve()),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(seconds, 3),
        files=[SourceFile(name=p.name, bytes=p.stat().st_size) for p in release.files()],
        vocabularies=_vocabularies(release, options),
        filters=Filters(
            languages=sorted(f.languages) if f.languages is not None else None,
            sources=sorted(f.sources) if f.sources is not None else None,
            suppressed=sorted(f.suppressed),
        ),
        counts=counts,
        errors=errors.count,
        error_samples=errors.samples,
        approx_kinds=list(options.approx_kinds),
    )
