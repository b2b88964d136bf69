"""The normalize stage: mentions to terminology concepts, dose text to structured doses.

Linking has two sides that meet only in the index directory. At build time
(`normalize._builder`) `build_index` streams a UMLS or RxNorm release into SQLite tables
(normalized keys, concept cards, roll-ups to RxNorm ingredients and MedDRA PTs), trigram
and one-edit arrays for approximate matching, exact-key hash arrays and a `Manifest`. At
query time (`normalize._query`) `open_index` opens it as a `TerminologyIndex` whose `link`,
`link_many` and `candidates` give `LinkResult`s, exact by normalized key (`normalize_key`)
and approximate by close keys (`MatchSettings`); `index_terms` streams its term list for
the rule extractor. `normalize._common` holds what both sides share: kinds, keys and the
directory's layout. QuickUMLS (`open_quickumls`, `build_quickumls`) is an optional matcher
behind the same interface. `parse_dose` (normalize.dose) reads amount, unit, route,
frequency and duration; its patterns also serve the rule extractor.

Light to import: each name loads its module on first use, so dose parsing costs no numpy,
SQLite or rich, and QuickUMLS loads only when a QuickUMLS index is opened or built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvkg.lazy import lazy_names

if TYPE_CHECKING:
    from normalize._builder.build import BuildOptions, build_index
    from normalize._common.keys import normalize_key
    from normalize._common.kinds import KINDS, Kind
    from normalize._common.manifest import Manifest
    from normalize._query.index import TerminologyIndex, link, link_all, open_index
    from normalize._query.lexicon import index_terms
    from normalize._query.match import MatchSettings
    from normalize._query.result import CodeRef, LinkResult
    from normalize._quickumls import QuickUmlsLinker, build_quickumls, open_quickumls
    from normalize.dose import AMOUNT_RE, FREQUENCY_RE, ROUTE_RE, TYPOGRAPHY, parse_dose

# The module of each public name (the imports above, for type checkers).
_HOMES = {
    "normalize._builder.build": ("BuildOptions", "build_index"),
    "normalize._common.keys": ("normalize_key",),
    "normalize._common.kinds": ("KINDS", "Kind"),
    "normalize._common.manifest": ("Manifest",),
    "normalize._query.index": ("TerminologyIndex", "link", "link_all", "open_index"),
    "normalize._query.lexicon": ("index_terms",),
    "normalize._query.match": ("MatchSettings",),
    "normalize._query.result": ("CodeRef", "LinkResult"),
    "normalize._quickumls": ("QuickUmlsLinker", "build_quickumls", "open_quickumls"),
    "normalize.dose": ("AMOUNT_RE", "FREQUENCY_RE", "ROUTE_RE", "TYPOGRAPHY", "parse_dose"),
}
_MODULE_OF = {
    name: module.removeprefix("normalize.") for module, names in _HOMES.items() for name in names
}

__all__ = [
    "AMOUNT_RE",
    "FREQUENCY_RE",
    "KINDS",
    "ROUTE_RE",
    "TYPOGRAPHY",
    "BuildOptions",
    "CodeRef",
    "Kind",
    "LinkResult",
    "Manifest",
    "MatchSettings",
    "QuickUmlsLinker",
    "TerminologyIndex",
    "build_index",
    "build_quickumls",
    "index_terms",
    "link",
    "link_all",
    "normalize_key",
    "open_index",
    "open_quickumls",
    "parse_dose",
]


__getattr__ = lazy_names(__name__, _MODULE_OF)
