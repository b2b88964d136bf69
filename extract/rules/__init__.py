"""The rule baseline extractor: term-list matching, dose patterns, ConText assertion and
relation rules, all kept as data where practical (`*.json` here)."""

from extract.rules.extractor import RuleExtractor
from extract.rules.learn import learn_terms
from extract.rules.lexicon import TERM_KINDS, Lexicon, TermKind, TermSource, read_terms

__all__ = [
    "TERM_KINDS",
    "Lexicon",
    "RuleExtractor",
    "TermKind",
    "TermSource",
    "learn_terms",
    "read_terms",
]
