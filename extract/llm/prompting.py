"""Versioned prompt templates: `<dir>/<name>/manifest.json` names the version and, per
step, the template file. A template has a `[system]` and a `[user]` section with `$name`
placeholders (`string.Template`), so changing a prompt is a new file and a version bump,
and every triple records which one produced it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Any

from pvkg.errors import ConfigError

BUILTIN = Path(__file__).with_name("prompts")
Message = dict[str, str]


@dataclass(frozen=True)
class Step:
    """One request's template: a system and a user message."""

    system: Template
    user: Template

    def render(self, **values: str) -> tuple[Message, ...]:
        try:
            return (
                {"role": "system", "content": self.system.substitute(values).strip()},
                {"role": "user", "content": self.user.substitute(values).strip()},
            )
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"prompt template has an unknown or bad placeholder: {exc}") from None


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    steps: MappingProxyType[str, Step]

    @property
    def label(self) -> str:
        """What triples record as their prompt version, e.g. "few-shot/v1"."""
        return f"{self.name}/{self.version}"

    def render(self, step: str, **values: str) -> tuple[Message, ...]:
        return self.steps[step].render(**values)


def load_prompt(name: str, directory: Path | None = None, *, steps: tuple[str, ...]) -> Prompt:
    """The prompt `name` from `directory` (default: built-in), with the steps the caller needs."""
    folder = (directory or BUILTIN) / name
    manifest = _read_manifest(folder / "manifest.json")
    files = manifest.get("steps")
    version = manifest.get("version")
    if not isinstance(version, str) or not isinstance(files, dict):
        raise ConfigError(f"{folder / 'manifest.json'}: needs a 'version' and 'steps'")
    missing = [step for step in steps if step not in files]
    if missing:
        raise ConfigError(f"prompt {name} has no step {', '.join(missing)}")
    loaded = {step: _read_step(folder / str(files[step])) for step in steps}
    return Prompt(name, version, MappingProxyType(loaded))


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read prompt manifest {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a manifest is a JSON object")
    return data


def _read_step(path: Path) -> Step:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read prompt template {path}: {exc.strerror}") from exc
    head, system_mark, rest = text.partition("[system]\n")
    system, user_mark, user = rest.partition("[user]\n")
    if not system_mark or not user_mark or head.strip():
        raise ConfigError(f"{path}: a template is a [system] section, then a [user] section")
    return Step(Template(system), Template(user))
