"""How readers deal with bad input: raise it, or hand it to an `on_error` handler and go on.

Every reader takes an optional handler, so one bad record can cost that record alone (the
CLI collects and counts them) or stop the run (the default, without a handler).
"""

from __future__ import annotations

from collections.abc import Callable

from pvkg.errors import InputError

ErrorHandler = Callable[[InputError], None]


def report(error: InputError, on_error: ErrorHandler | None) -> None:
    """Raise `error`, unless a handler takes it so that reading can go on."""
    if on_error is None:
        raise error
    on_error(error)
