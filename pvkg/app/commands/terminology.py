"""`pvkg terminology build|link`: index a UMLS/RxNorm release, link mentions to concepts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from loaders.rrf import SUPPRESSED_DEFAULT, AtomFilter
from normalize import KINDS
from pvkg.app.commands.flags import FLAGS
from pvkg.errors import ConfigError, InputError

if TYPE_CHECKING:
    from normalize import LinkResult

BACKENDS = ("pvkg", "quickumls")
# This command maps its flags onto BuildOptions by hand (languages, sources and suppression
# become an AtomFilter); the one option library messages name is shown as its flag.
FLAGS[("BuildOptions", "max_errors")] = "--max-errors"

app = typer.Typer(
    help="Build a UMLS/RxNorm index and link mentions to concepts.", no_args_is_help=True
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
_SHOWN_ERRORS = 20


def _split(values: list[str] | None) -> frozenset[str] | None:
    if not values:
        return None
    return frozenset(v.strip() for value in values for v in value.split(",") if v.strip())


@app.command("build")
def build(
    rrf_dir: Path = typer.Argument(..., help="Release folder (with META/ or rrf/, or the RRFs)."),
    out: Path = typer.Option(..., "-o", "--out", help="Index directory to write."),
    sab: list[str] = typer.Option(None, "--sab", help="Sources to keep, e.g. RXNORM,MDR."),
    lang: list[str] = typer.Option(["ENG"], "--lang", help="Languages to keep; 'all' keeps all."),
    keep_suppressed: bool = typer.Option(
        False, "--keep-suppressed", help="Keep atoms with SUPPRESS O, E or Y."
    ),
    max_errors: int = typer.Option(100, "--max-errors", help="Malformed lines tolerated."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    backend: str = typer.Option(
        "pvkg", "--backend", help="pvkg, or quickumls (English UMLS atoms; other options unused)."
    ),
) -> None:
    """Index UMLS/RxNorm RRF files for linking."""
    if _backend(backend) == "quickumls":
        from normalize import build_quickumls

        build_quickumls(rrf_dir, out)
        _err.print(f"QuickUMLS index -> {out}")
        return
    from normalize import BuildOptions, build_index

    languages = _split(lang)
    options = BuildOptions(
        filters=AtomFilter(
            languages=None if languages == frozenset({"all"}) else languages,
            sources=_split(sab),
            suppressed=frozenset() if keep_suppressed else SUPPRESSED_DEFAULT,
        ),
        max_errors=max_errors,
        progress=not quiet,
    )
    shown = [0]

    def warn(error: InputError) -> None:
        shown[0] += 1
        if shown[0] <= _SHOWN_ERRORS:
            _err.print(f"[yellow]skipped:[/] {escape(str(error))}")

    manifest = build_index(rrf_dir, out, options, on_error=warn)
    c = manifest.counts
    _err.print(
        f"indexed {c['concepts']:,} concepts, {c['terms']:,} keys, {c['codes']:,} codes "
        f"in {manifest.build_seconds:.1f} s; {manifest.errors} malformed lines skipped -> {out}"
    )


@app.command("link")
def link(
    texts: list[str] = typer.Argument(..., help="Mention texts to link."),
    index: Path = typer.Option(..., "-t", "--index", help="Index directory (terminology build)."),
    kind: str = typer.Option(..., "--kind", help="drug or adverse_event."),
    backend: str = typer.Option(
        "pvkg", "--backend", help="pvkg, or quickumls (-t is then a QuickUMLS index)."
    ),
) -> None:
    """Link mention texts to CUIs and codes: one JSON object per text."""
    if kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if _backend(backend) == "quickumls":
        from normalize import open_quickumls

        with open_quickumls(index) as linker:
            _print(linker.link_stream(texts, kind))
    else:
        from normalize import link_all

        _print(link_all(index, texts, kind))


def _print(results: Iterable[LinkResult]) -> None:
    for result in results:
        typer.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))


def _backend(name: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"--backend must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name
