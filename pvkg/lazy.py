"""A package's public names, imported from their modules on first use (PEP 562), so that
importing a stage costs nothing until one of its names is read."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from importlib import import_module
from typing import Any


def lazy_names(
    package: str, homes: Mapping[str, str], modules: Collection[str] = ()
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `homes` maps each public name to the module it
    comes from (relative to the package); each of `modules` is a submodule exported whole.
    A name read once is kept in the package, so later reads do not come here."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name in modules:
            value = import_module(f"{package}.{name}")
        elif name in homes:
            value = getattr(import_module(f"{package}.{homes[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    return __getattr__
