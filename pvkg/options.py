"""Stage options: frozen dataclasses whose fields say their own CLI flag and help.

Each stage has one options record (`ExtractOptions`, `SignalOptions`, ...). The Python API
takes it as it is; the command line builds its flags from the fields' metadata, so the two
cannot drift apart. Library messages name an option as `` `Record.field` `` (see `ref`),
never as a flag; the CLI shows that reference as the flag it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, Field, field, fields, is_dataclass
from typing import Any

# A reference to an option in a library message: `LLMOptions.timeout`.
REFERENCE = re.compile(r"`([A-Z]\w*)\.(\w+)`")


def option(
    default: Any = MISSING,
    help: str = "",
    *,
    flag: str | tuple[str, ...] | None = None,
    negate: bool = False,
    envvar: str | None = None,
    panel: str | None = None,
    secret: bool = False,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """A stage option. `flag` names it on the command line (default `--field-name`); with
    `negate` the flag sets a true-by-default option to False; `secret` keeps the default
    out of `--help`."""
    metadata = {"help": help, "flag": flag, "negate": negate, "envvar": envvar,
                "panel": panel, "secret": secret}  # fmt: skip
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def ref(record: type[Any], name: str) -> str:
    """How a library message names option `name` of `record`: `` `Record.name` ``."""
    if name not in {f.name for f in fields(record)}:
        raise AttributeError(f"{record.__name__} has no option {name!r}")
    return f"`{record.__name__}.{name}`"


def flags_of(one: Field[Any]) -> tuple[str, ...]:
    """The flags of an option field, long and short."""
    flag = one.metadata.get("flag")
    if flag is None:
        return ("--" + one.name.replace("_", "-"),)
    return (flag,) if isinstance(flag, str) else tuple(flag)


def long_flag(one: Field[Any]) -> str:
    return next(f for f in flags_of(one) if f.startswith("--"))


def flag_table(*records: type[Any]) -> dict[tuple[str, str], str]:
    """(record name, field) → long flag, for every option of `records` and nested ones."""
    table: dict[tuple[str, str], str] = {}
    for record in records:
        for one in fields(record):
            nested = _nested_type(record, one)
            if nested is not None:
                table.update(flag_table(nested))
            else:
                table[(record.__name__, one.name)] = long_flag(one)
    return table


def as_flags(text: str, table: dict[tuple[str, str], str]) -> str:
    """`text` with each `` `Record.field` `` reference shown as its flag, where known."""
    return REFERENCE.sub(lambda m: table.get((m[1], m[2]), m[0]), text)


def _nested_type(record: type[Any], one: Field[Any]) -> type[Any] | None:
    from typing import get_type_hints

    hint = get_type_hints(record)[one.name]
    return hint if isinstance(hint, type) and is_dataclass(hint) else None
