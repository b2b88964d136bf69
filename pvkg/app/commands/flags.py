"""Command-line flags built from stage options records (`pvkg.options`).

`from_options("llm", LLMOptions)` replaces a command's `llm` parameter by one Typer option
per field (nested records expand in place) and hands the command the record built from
them, so every command that takes a stage's record takes all of its flags.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Collection, Iterator
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

import typer

from pvkg.options import flag_table, flags_of, long_flag

F = TypeVar("F", bound=Callable[..., Any])
# (record, field) → flag of every record a command takes, to show library messages' option
# references as flags.
FLAGS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class _Spec:
    """One field of a record (or of a record nested in it) as one CLI parameter."""

    path: tuple[str, ...]
    field: Field[Any]
    hint: Any

    @property
    def name(self) -> str:
        return long_flag(self.field).removeprefix("--").replace("-", "_")

    def parameter(self) -> inspect.Parameter:
        cli_type, default = _cli_type(self.hint), _cli_default(self.field, self.hint)
        meta = self.field.metadata
        info = typer.Option(
            *flags_of(self.field),
            help=meta.get("help") or None,
            envvar=meta.get("envvar"),
            rich_help_panel=meta.get("panel"),
            show_default=not meta.get("secret"),
        )
        annotation = Annotated[cli_type, info]  # type: ignore[valid-type]
        return inspect.Parameter(self.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=annotation)  # fmt: skip

    def value(self, given: Any) -> Any:
        if self.field.metadata.get("negate"):
            return not given
        if get_origin(self.hint) is tuple:
            return tuple(part.strip() for part in str(given).split(",") if part.strip())
        return given


def from_options(
    param: str, record: type[Any], *, exclude: Collection[str] = ()
) -> Callable[[F], F]:
    """Give the decorated command `record`'s fields as flags and `param` as the record;
    fields named in `exclude` keep their defaults (the command may set them itself)."""
    specs = [s for s in _specs(record, ()) if s.path[0] not in exclude]
    FLAGS.update(flag_table(record))

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != param]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            given = {spec.path: spec.value(kwargs.pop(spec.name)) for spec in specs}
            return command(**kwargs, **{param: _build(record, given, ())})

        params = [*kept, *(spec.parameter() for spec in specs)]
        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate


def _specs(record: type[Any], prefix: tuple[str, ...]) -> Iterator[_Spec]:
    hints = get_type_hints(record)
    for one in fields(record):
        hint = hints[one.name]
        if isinstance(hint, type) and is_dataclass(hint):
            yield from _specs(hint, (*prefix, one.name))
        else:
            yield _Spec((*prefix, one.name), one, hint)


def _build(record: type[Any], given: dict[tuple[str, ...], Any], prefix: tuple[str, ...]) -> Any:
    hints = get_type_hints(record)
    values: dict[str, Any] = {}
    for one in fields(record):
        path = (*prefix, one.name)
        hint = hints[one.name]
        if isinstance(hint, type) and is_dataclass(hint):
            values[one.name] = _build(hint, given, path)
        elif path in given:
            values[one.name] = given[path]
    return record(**values)


def _cli_type(hint: Any) -> Any:
    """What Typer parses: comma lists and unions of types as text, choices as choices."""
    if get_origin(hint) is tuple:
        return str
    if get_origin(hint) is Literal or hint in (str, int, float, bool, Path):
        return hint
    args = [a for a in get_args(hint) if a is not type(None)]
    if len(args) == 1 and len(get_args(hint)) == 2:
        return _cli_type(args[0]) | None
    return str | None if type(None) in get_args(hint) else str


def _cli_default(one: Field[Any], hint: Any) -> Any:
    if one.default is MISSING and one.default_factory is MISSING:
        return ...  # Typer's mark of a required option
    default = one.default if one.default is not MISSING else None
    if one.metadata.get("negate"):
        return False
    if get_origin(hint) is tuple and default is not None:
        return ",".join(default)
    return default
