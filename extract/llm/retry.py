"""When to retry a request and how long to wait first."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_DELAY = 60.0


def backoff_delay(attempt: int, base: float, retry_after: str | None = None) -> float:
    """Seconds to wait before retry `attempt` (0-based): the server's Retry-After when it
    gives one, else `base` doubled per attempt with jitter, so clients that failed
    together do not retry together."""
    asked = parse_retry_after(retry_after)
    if asked is not None:
        return min(asked, MAX_DELAY)
    delay = min(base * 2.0**attempt, MAX_DELAY)
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
