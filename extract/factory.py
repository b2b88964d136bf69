"""`build_extractor`: `ExtractOptions` in, a ready extractor out; heavy modules are imported
only for the kind asked for."""

from __future__ import annotations

from extract.base import Extractor
from extract.options import ExtractOptions
from pvkg.errors import ConfigError
from pvkg.options import ref


def build_extractor(options: ExtractOptions) -> Extractor:
    """The extractor `options` describe."""
    if options.extractor == "rules":
        return _rules(options)
    if options.extractor == "llm":
        from extract.llm import build_llm_extractor

        return build_llm_extractor(options.llm, device=options.device)
    if options.model_path is None:
        raise ConfigError(
            "the finetuned extractor needs a model",
            hint=f"set {ref(ExtractOptions, 'model_path')} to a folder written by `pvkg train`",
        )
    from extract.finetune import load_finetuned

    return load_finetuned(options.model_path, device=options.device)


def _rules(options: ExtractOptions) -> Extractor:
    from extract.rules import RuleExtractor, read_terms

    sources = []
    if options.terms is not None:
        sources.append(read_terms(options.terms))
    if options.terminology is not None:
        from normalize import index_terms

        sources.append(index_terms(options.terminology))
    if not sources:
        raise ConfigError(
            "the rule extractor needs terms",
            hint=f"give a terminology index ({ref(ExtractOptions, 'terminology')}) or a term "
            f"list ({ref(ExtractOptions, 'terms')})",
        )
    return RuleExtractor(
        sources[0],
        sources[1] if len(sources) > 1 else None,
        min_confidence=options.min_confidence,
        morphology=options.morphology,
    )
