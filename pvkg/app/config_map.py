"""Turn pvkg.toml scopes into click's `default_map`, so CLI options override the file.

Typer ships its own copy of click, so commands are read by shape, not by class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pvkg.config import SHARED_SCOPE, read_config
from pvkg.errors import ConfigError


class Param(Protocol):
    name: str | None


class Command(Protocol):
    params: list[Any]


def _subcommands(command: Command) -> dict[str, Command] | None:
    commands: dict[str, Command] | None = getattr(command, "commands", None)
    return commands


def default_map(command: Command, path: Path) -> dict[str, Any]:
    """Defaults for every command of the tree from the config at `path`; unknown keys fail."""
    scopes = read_config(path)
    shared = scopes.get(SHARED_SCOPE, {})
    used_shared: set[str] = set()
    result = _walk(command, (), scopes, shared, used_shared)
    unused = set(shared) - used_shared
    if unused:
        raise ConfigError(
            f"{path}: no command has option(s) {', '.join(sorted(unused))}",
            hint="see `pvkg COMMAND --help` for option names",
        )
    known = {" ".join(p) for p in _paths(command, ())}
    for scope, values in scopes.items():
        if scope != SHARED_SCOPE and scope not in known:
            raise ConfigError(f"{path}: [{scope}] is not a pvkg command")
        params = _params(_find(command, scope.split())) if scope != SHARED_SCOPE else set()
        for key in values if scope != SHARED_SCOPE else ():
            if key not in params:
                raise ConfigError(f"{path}: [{scope}] has no option {key!r}")
    return result


def _walk(
    command: Command,
    where: tuple[str, ...],
    scopes: dict[str, dict[str, Any]],
    shared: dict[str, Any],
    used_shared: set[str],
) -> dict[str, Any]:
    subcommands = _subcommands(command)
    if subcommands is not None:
        return {
            name: _walk(sub, (*where, name), scopes, shared, used_shared)
            for name, sub in subcommands.items()
        }
    params = _params(command)
    values = {k: v for k, v in shared.items() if k in params}
    used_shared.update(values)
    values.update(scopes.get(" ".join(where), {}))
    return values


def _paths(command: Command, where: tuple[str, ...]) -> list[tuple[str, ...]]:
    subcommands = _subcommands(command)
    if subcommands is not None:
        return [p for name, sub in subcommands.items() for p in _paths(sub, (*where, name))]
    return [where]


def _find(command: Command, names: list[str]) -> Command:
    for name in names:
        subcommands = _subcommands(command)
        if subcommands is not None:
            command = subcommands[name]
    return command


def _params(command: Command) -> set[str]:
    return {p.name for p in command.params if p.name}
