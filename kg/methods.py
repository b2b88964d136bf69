"""The signal methods' names, in a module of their own so that listing them (for `--help`,
defaults) imports neither numpy nor scipy."""

from __future__ import annotations

from collections.abc import Collection

from pvkg.errors import ConfigError

# weibull: the time-to-onset shape test (kg/onset_signals.py), joined by pvkg signals.
METHODS = frozenset({"prr", "ror", "ror_exact", "ic", "ebgm", "weibull"})
DEFAULT_METHODS = ("prr", "ror", "ic", "ebgm")


def check_methods(methods: Collection[str]) -> frozenset[str]:
    """The methods asked for, once each; unknown names and both RORs at once are refused."""
    chosen = frozenset(methods)
    unknown = chosen - METHODS
    if unknown or not chosen:
        raise ConfigError(
            f"unknown signal method(s): {', '.join(sorted(unknown)) or '(none given)'}",
            hint=f"choose from {', '.join(sorted(METHODS))}",
        )
    if {"ror", "ror_exact"} <= chosen:
        raise ConfigError("choose one of ror (Woolf) and ror_exact (conditional MLE)")
    return chosen
