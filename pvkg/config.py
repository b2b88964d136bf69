"""Settings shared by every stage: where pvkg keeps its caches and default store."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = "pvkg-graph"


def cache_dir() -> Path:
    """The directory for caches and local services (`PVKG_CACHE`, else ~/.cache/pvkg)."""
    configured = os.environ.get("PVKG_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "pvkg"


def local_neo4j_uri_file() -> Path:
    """Where `scripts/neo4j-local start` writes the Bolt URI of the local test server."""
    return cache_dir() / "neo4j" / "bolt-uri"
