"""The LLM extractor: an OpenAI-compatible server or a local Hugging Face model, prompted
with versioned templates, its quotes grounded in the note. The CLI needs only
`LLMOptions` and `build_llm_extractor`."""

from extract.llm.calls import LLMStats
from extract.llm.extractor import LLMExtractor
from extract.llm.factory import build_llm_extractor
from extract.llm.options import LLMOptions

__all__ = ["LLMExtractor", "LLMOptions", "LLMStats", "build_llm_extractor"]
