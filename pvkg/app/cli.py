"""The `pvkg` command line: each command parses options and calls one library function."""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.core import TyperGroup

from pvkg import __version__
from pvkg.app.commands import graph, normalize, report, run
from pvkg.app.commands.assertion import assertion_command
from pvkg.app.commands.eval import eval_command
from pvkg.app.commands.extract import extract_command
from pvkg.app.commands.flags import FLAGS
from pvkg.app.commands.phenotype import app as phenotype_app
from pvkg.app.commands.terminology import app as terminology_app
from pvkg.app.commands.train import train_command
from pvkg.app.config_map import default_map
from pvkg.app.failing import fail
from pvkg.app.logs import configure_logging
from pvkg.config import find_config
from pvkg.errors import PvkgError


class _Root(TyperGroup):
    """The root command, whoever calls it (the console script, `python -m pvkg`, a test's
    CliRunner): option defaults come from pvkg.toml when there is one, and a PvkgError ends
    the run as one line and its exit code."""

    def main(self, *args: Any, **extra: Any) -> Any:
        # Our rich progress bars report the work; Hugging Face's tqdm bars would interleave.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            config = find_config()
            if config:
                extra.setdefault("default_map", default_map(self, config))
            return super().main(*args, **extra)
        except PvkgError as error:
            fail(error, FLAGS)


app = typer.Typer(
    cls=_Root,
    name="pvkg",
    help="Pharmacovigilance knowledge graphs from clinical notes and case reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(terminology_app, name="terminology", no_args_is_help=True)
app.add_typer(phenotype_app, name="phenotype", no_args_is_help=True)
app.command("eval")(eval_command)
app.command("extract")(extract_command)
app.command("train")(train_command)

app.command("load")(graph.load)
app.command("signals")(graph.signals)
app.command("onset")(graph.onset)
app.command("query")(graph.query)
app.command("export")(graph.export)
app.command("report")(report.report)
app.command("run")(run.run)
app.command("normalize")(normalize.normalize)
app.command("assertion")(assertion_command)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"pvkg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More log messages (-v pvkg's debug, -vv all)."
    ),
) -> None:
    """Pharmacovigilance knowledge graphs from clinical notes and case reports."""
    configure_logging(verbose)


def main() -> None:
    """Console-script entry point (and `python -m pvkg`'s)."""
    app()
