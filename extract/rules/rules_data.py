"""Reading the rule files shipped with the package (or a user's replacement) as records."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pvkg.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def load_rules(model: type[M], name: str, path: str | Path | None = None) -> M:
    """Validate the rule file `path`, or the packaged file `name` when no path is given."""
    source = Path(path) if path is not None else resources.files(__package__).joinpath(name)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read rules ({exc})") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: invalid rules at {where}: {first['msg']}") from exc
