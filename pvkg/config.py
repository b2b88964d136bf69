"""Settings shared by every stage: where pvkg keeps its caches and default store."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pvkg.errors import ConfigError

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


CONFIG_FILE = "pvkg.toml"
SHARED_SCOPE = "*"


def find_config() -> Path | None:
    """`PVKG_CONFIG` if set, else ./pvkg.toml if it exists."""
    configured = os.environ.get("PVKG_CONFIG")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ConfigError(f"PVKG_CONFIG names {path}, which is not a file")
        return path
    local = Path(CONFIG_FILE)
    return local if local.is_file() else None


def read_config(path: Path) -> dict[str, dict[str, Any]]:
    """Option defaults per command from a pvkg.toml.

    Keys are the CLI's option names (`min-count` or `min_count`); top-level keys apply to
    every command that has such an option, a `[signals]` (or `[terminology.link]`) table to
    that command. The result is keyed by command path, with `*` for the shared keys.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    scopes: dict[str, dict[str, Any]] = {SHARED_SCOPE: {}}
    _collect(data, (), scopes)
    return scopes


def _collect(
    table: dict[str, Any], where: tuple[str, ...], scopes: dict[str, dict[str, Any]]
) -> None:
    scope = " ".join(where) or SHARED_SCOPE
    for key, value in table.items():
        if isinstance(value, dict):
            _collect(value, (*where, key), scopes)
        else:
            scopes.setdefault(scope, {})[key.replace("-", "_")] = value
