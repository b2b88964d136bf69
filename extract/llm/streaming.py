"""Run coroutines over a stream concurrently and yield their results in input order.

Only `lookahead` items are taken from the stream ahead of the one being yielded, so a
million-note file is never held in memory; the event loop runs while the caller waits for
the next result, which is when all in-flight work makes progress.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
U = TypeVar("U")


def ordered(
    loop: asyncio.AbstractEventLoop,
    items: Iterable[T],
    work: Callable[[T], Coroutine[Any, Any, U]],
    lookahead: int,
) -> Iterator[U]:
    """`work(item)` for every item, at most `lookahead` started ahead, results in order."""
    pending: deque[asyncio.Task[U]] = deque()
    try:
        for item in items:
            pending.append(loop.create_task(work(item)))
            if len(pending) >= lookahead:
                yield loop.run_until_complete(pending.popleft())
        while pending:
            yield loop.run_until_complete(pending.popleft())
    finally:
        # A failure or an abandoned stream: stop the work already started.
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
