"""Shared fixtures: the real services and the shared corpora, found or failed loudly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pvkg.config import local_neo4j_uri_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only corpora in ../shared/data (relative to the project root)."""
    path = Path(os.environ.get("PVKG_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "README.md").is_file():
        pytest.fail(f"shared data not found at {path}; set PVKG_SHARED_DATA", pytrace=False)
    return path


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    """Bolt URI of the real Neo4j started by `scripts/neo4j-local start`."""
    uri = os.environ.get("PVKG_NEO4J_URI")
    if uri:
        return uri
    uri_file = local_neo4j_uri_file()
    if not uri_file.is_file():
        pytest.fail(
            f"no running Neo4j: {uri_file} is missing; run `scripts/neo4j-local start` "
            "(make test does this)",
            pytrace=False,
        )
    return uri_file.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def neo4j_auth() -> tuple[str, str]:
    """Credentials for the local Neo4j, from the environment like every pvkg credential."""
    return (
        os.environ.get("NEO4J_USER", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", "pvkg-local-pass"),
    )
