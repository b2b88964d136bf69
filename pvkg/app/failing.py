"""How the command line shows a `PvkgError`: one line, its hint, its exit code."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console
from rich.markup import escape

from pvkg.errors import PvkgError
from pvkg.options import as_flags

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(error: PvkgError, flags: dict[tuple[str, str], str] | None = None) -> NoReturn:
    """Print `error` as one line (plus its hint) and exit with its code; the library's
    option references are shown as the `flags` that set them."""
    table = flags or {}
    _err.print(f"[bold red]error:[/] {escape(as_flags(error.message, table))}")
    if error.hint:
        _err.print(f"[dim]hint:[/] {escape(as_flags(error.hint, table))}")
    sys.exit(error.exit_code)
