"""The stage packages' names (`kg`, `normalize`, `extract`, `loaders`) are also names of
other distributions on PyPI. A foreign package of one of those names, first on `sys.path` or
installed over ours, would be imported in its place; this finds that before it misleads."""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from pvkg.errors import ConfigError

STAGES = ("kg", "normalize", "extract", "loaders")


def check_stage_packages() -> None:
    """Raise `ConfigError` unless every stage name resolves to pvkg's own package, next to
    `pvkg/`, and no other installed distribution ships a package of that name."""
    home = Path(__file__).resolve().parent.parent
    for name in STAGES:
        expected = home / name / "__init__.py"
        spec = importlib.util.find_spec(name)
        found = spec.origin if spec is not None else None
        if found is None or Path(found).resolve() != expected:
            raise ConfigError(
                f"the package {name!r} imported here is not pvkg's: {found or 'none found'} "
                f"instead of {expected}",
                hint=f"a folder or distribution named {name!r} shadows it; remove it from "
                "the path or use a virtual environment of its own for pvkg",
            )
    _check_distributions()


def _check_distributions() -> None:
    # PyPI's packages of these names ship the top-level package they are named after; a
    # lookup by name is cheap where scanning every distribution's files is not.
    for name in STAGES:
        try:
            other = distribution(name)
        except PackageNotFoundError:
            continue
        raise ConfigError(
            f"the distribution {other.metadata['Name']!r} {other.version} also installs a "
            f"package named {name!r}, over pvkg's",
            hint=f"pip uninstall {name} (and reinstall pvkg), or use a virtual environment "
            "of its own for pvkg",
        )
