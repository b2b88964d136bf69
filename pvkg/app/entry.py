"""The `pvkg` console script: the stage packages are checked before any of them is imported,
so a foreign package of the same name gives one line, not a traceback from deep inside."""

from __future__ import annotations

from pvkg.app.failing import fail
from pvkg.errors import PvkgError
from pvkg.stages import check_stage_packages


def main() -> None:
    try:
        check_stage_packages()
    except PvkgError as error:
        fail(error)
    from pvkg.app.cli import main as cli_main

    cli_main()
