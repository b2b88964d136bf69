"""Shared fixtures: the real services and the shared corpora, found or failed loudly; the
terminology index of the UMLS fixture; the `pvkg` command line run in this process. And the
helpers several test modules read triples with."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
from typer.testing import CliRunner, Result

from pvkg.config import local_neo4j_uri_file

if TYPE_CHECKING:
    from pvkg.gold import GoldDocument
    from pvkg.records import Triple

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    # Rich picks a console's colours when the console is made, at import, and Typer forces a
    # terminal for its help under FORCE_COLOR, PY_COLORS or GITHUB_ACTIONS: escape codes would
    # get into the output the CLI tests read. So, as in a pipe, no output is a terminal here.
    os.environ["TTY_COMPATIBLE"] = "0"
    os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"


def texts(triple: Triple) -> tuple[str, str | None, str | None]:
    """A triple's drug, dose and adverse-event texts, None for a part it lacks."""
    dose = triple.dose.text if triple.dose else None
    event = triple.adverse_event.text if triple.adverse_event else None
    return triple.drug.text, dose, event


def summary(document: GoldDocument) -> list[tuple[str, str | None, str | None, str]]:
    """A gold document's triples as their texts and assertion, in order."""
    return [(*texts(t), t.assertion) for t in document.triples]


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


@pytest.fixture(scope="session")
def umls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The terminology index of tests/fixtures/umls, built once: copy it to change it."""
    from normalize import BuildOptions, build_index  # here: slow to import

    out = tmp_path_factory.mktemp("umls") / "index"
    build_index(FIXTURES / "umls", out, BuildOptions(progress=False))
    return out


# What `pvkg` reads from the environment, unset so that a developer's settings (a
# PVKG_CONFIG, a default store, Neo4j credentials) do not leak into the tests; and a wide
# terminal, so that tables and help keep one row to a line.
CLI_ENV: dict[str, str | None] = {
    "COLUMNS": "200",
    "PVKG_CONFIG": None,
    "PVKG_STORE": None,
    "NEO4J_USER": None,
    "NEO4J_PASSWORD": None,
}


class Cli(Protocol):
    def __call__(
        self,
        *args: str | Path,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result: ...


@pytest.fixture(scope="session")
def cli() -> Cli:
    """`pvkg ARGS` run in this process; the result has `exit_code`, `stdout` and `stderr`.

    The runner calls the root command as the console script does, so pvkg.toml defaults and
    the translation of a PvkgError into one line and its exit code are the real ones. Any
    other exception propagates, with its traceback, and fails the test. `env` adds to (None:
    removes from) CLI_ENV for the one call.
    """
    from pvkg.app.cli import app  # here, not above: most test runs need no CLI

    runner = CliRunner()

    def invoke(
        *args: str | Path,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        return runner.invoke(
            app,
            [str(arg) for arg in args],
            input=input,
            env={**CLI_ENV, **(env or {})},
            catch_exceptions=False,
        )

    return invoke
