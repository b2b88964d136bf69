"""Logging for the command line: pvkg's own messages (retries, the LLM's share of spans not
found in the note, ...) through a rich handler on stderr; other libraries' only when loud.

Library code only logs counts, hosts and reasons, never note text, so what reaches the
terminal here is safe to show.
"""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

OUR_LOGGERS = ("pvkg", "kg", "normalize", "extract", "loaders")


def configure_logging(verbosity: int = 0) -> None:
    """0: pvkg's info and everyone's warnings; 1 (`-v`): pvkg's debug messages too;
    2 (`-vv`): every library's info and debug messages as well."""
    handler = RichHandler(
        console=Console(stderr=True, highlight=False, soft_wrap=True),
        show_time=verbosity > 0,
        show_path=verbosity > 1,
        markup=False,
        rich_tracebacks=False,
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, RichHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 0 else logging.INFO)
