"""extract: the extraction stage. Notes in, (drug, dose, adverse event) triples out, every
span an exact slice of the note, with assertion and provenance: a rule baseline
(`extract.rules`), an LLM through an OpenAI-compatible server or a local model
(`extract.llm`), fine-tuned encoders and LoRA adapters (`extract.finetune`); which one, from
`ExtractOptions` by `build_extractor`. `extract.scoring` scores triples against gold.

Names are imported on first use, so `import extract` loads neither torch nor httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pvkg.lazy import lazy_names

if TYPE_CHECKING:
    from extract.base import ExtractionResult, Extractor
    from extract.factory import build_extractor
    from extract.llm.options import LLMOptions
    from extract.options import EXTRACTOR_KINDS, ExtractOptions

# Each public name and the module it comes from.
_HOMES = {
    "Extractor": "base",
    "ExtractionResult": "base",
    "build_extractor": "factory",
    "ExtractOptions": "options",
    "EXTRACTOR_KINDS": "options",
    "LLMOptions": "llm.options",
}
__all__ = [
    "EXTRACTOR_KINDS",
    "ExtractOptions",
    "ExtractionResult",
    "Extractor",
    "LLMOptions",
    "build_extractor",
]


__getattr__ = lazy_names(__name__, _HOMES)
