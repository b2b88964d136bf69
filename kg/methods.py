"""The signal methods' names, in a module of their own so that listing them (for `--help`,
defaults) imports neither numpy nor scipy."""

METHODS = frozenset({"prr", "ror", "ror_exact", "ic", "ebgm"})
DEFAULT_METHODS = ("prr", "ror", "ic", "ebgm")
