"""A persistent response cache, so a re-run makes no calls and an interrupted run resumes.

Keys are SHA-256 hashes of everything that decides a reply (model, prompt version, the
rendered messages, schema and sampling settings); values are the reply text and its token
counts. Each response is committed as it arrives: a run killed mid-way keeps all it paid for.
The file holds model replies, which quote notes: it lives in the user's own cache directory.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.llm.options import LLMOptions
from pvkg.errors import ConfigError
from pvkg.options import ref

FILE = "responses.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY, text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL)"""


@dataclass(frozen=True)
class Completion:
    """A model's reply and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


def cache_key(**parts: Any) -> str:
    """A stable hash of JSON-serialisable request parts."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """SQLite table of completions by key, in `directory`/responses.sqlite3."""

    def __init__(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            # One process may run several extractors on one event loop thread; WAL lets
            # another process read while this one writes.
            self._db = sqlite3.connect(directory / FILE, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # Each commit survives a killed process; only a power cut may lose the last few.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the LLM response cache in {directory}: {exc}",
                hint=f"set {ref(LLMOptions, 'cache_dir')} to a writable directory, or turn off "
                f"{ref(LLMOptions, 'use_cache')}",
            ) from exc

    def get(self, key: str) -> Completion | None:
        row = self._db.execute(
            "SELECT text, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
        ).fetchone()
        return Completion(row[0], row[1], row[2]) if row else None

    def put(self, key: str, completion: Completion) -> None:
        with self._db:  # commits this response now
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
                (key, completion.text, completion.prompt_tokens, completion.completion_tokens),
            )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self._db.close()
