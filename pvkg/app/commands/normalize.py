"""`pvkg normalize`: link triples' mentions to concepts and parse their doses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pvkg.app.commands.graph import ErrorReporter

err = Console(stderr=True, highlight=False, soft_wrap=True)


def normalize(
    triples: Annotated[Path, typer.Argument(help="Triple JSONL (from `pvkg extract`).")],
    index: Annotated[
        Path, typer.Option("-t", "--index", help="Terminology index (`pvkg terminology build`).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="NormalizedTriple JSONL.")],
) -> None:
    """Link drug and adverse-event mentions to CUIs, RxNorm ingredients, SNOMED CT and
    MedDRA, and parse doses into value, unit, route and frequency."""
    from pvkg.app.normalizing import normalize_file

    reporter = ErrorReporter()
    summary = normalize_file(triples, index, output, on_error=reporter)
    reporter.summary()
    err.print(
        f"normalized {summary.triples} triples -> {output}: drugs linked {summary.drugs_linked}, "
        f"unlinked {summary.drugs_unlinked}; events linked {summary.events_linked}, "
        f"unlinked {summary.events_unlinked}"
    )
