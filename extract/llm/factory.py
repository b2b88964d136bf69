"""`build_llm_extractor`: LLMOptions in, a ready extractor out.

Cheap checks come first (prompt, examples, privacy), so a bad option fails before a model
loads. The Hugging Face stack is imported only when a local model is asked for.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from extract.llm.backend import Backend
from extract.llm.cache import ResponseCache
from extract.llm.examples import load_examples
from extract.llm.extractor import LLMExtractor, Windowing
from extract.llm.openai_compat import OpenAIBackend
from extract.llm.options import PACKAGED_SMOLLM2, LLMOptions
from extract.llm.privacy import check_endpoint, is_loopback
from extract.llm.prompting import load_prompt
from extract.llm.strategies import Chain, SingleStep, Strategy
from pvkg.config import cache_dir
from pvkg.errors import ConfigError
from pvkg.options import ref

HF_HINT = "pip install 'pvkg[hf]'"


def build_llm_extractor(options: LLMOptions, device: str | None = None) -> LLMExtractor:
    """The LLM extractor the options describe (an `extract.base.Extractor`); a local model
    runs on torch `device` (default: cuda if any)."""
    strategy = build_strategy(options)
    backend = build_backend(options, device)
    cache = None
    if options.use_cache:
        cache = ResponseCache(options.cache_dir or cache_dir() / "llm-cache")
    return LLMExtractor(
        backend,
        strategy,
        concurrency=options.concurrency,
        cache=cache,
        sampling={"temperature": options.temperature, "max_tokens": options.max_tokens},
        windowing=Windowing(options.window_chars, options.window_overlap),
    )


def build_strategy(options: LLMOptions) -> Strategy:
    if options.prompt == "chain":
        return Chain(load_prompt("chain", options.prompt_dir, steps=("mentions", "triples")))
    prompt = load_prompt(options.prompt, options.prompt_dir, steps=("triples",))
    if options.examples is None:
        return SingleStep(prompt)
    return SingleStep(prompt, load_examples(options.examples), options.examples_k)


def build_backend(options: LLMOptions, device: str | None = None) -> Backend:
    if options.llm_url is not None:
        return _server(options, options.llm_url)
    if options.model_path is None and options.model != PACKAGED_SMOLLM2:
        raise ConfigError(
            "no LLM to extract with",
            hint=f"set {ref(LLMOptions, 'llm_url')} and {ref(LLMOptions, 'model')}, "
            f"{ref(LLMOptions, 'model_path')}, or {ref(LLMOptions, 'model')} "
            f"{PACKAGED_SMOLLM2}",
        )
    return _local_backend(options, device)


def _server(options: LLMOptions, url: str) -> OpenAIBackend:
    if not options.model:
        raise ConfigError(
            f"{ref(LLMOptions, 'llm_url')} needs {ref(LLMOptions, 'model')} "
            "(the model name the server serves)"
        )
    if options.model_path is not None:
        raise ConfigError(
            f"give either {ref(LLMOptions, 'llm_url')} or {ref(LLMOptions, 'model_path')}, not both"
        )
    check_endpoint(url, allow_remote=options.allow_remote)
    return OpenAIBackend(
        url,
        options.model,
        api_key=os.environ.get(options.api_key_env) or None,
        api_key_env=options.api_key_env,
        response_format=options.response_format,
        timeout=options.timeout,
        retries=options.retries,
        backoff=options.backoff,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        concurrency=options.concurrency,
        use_env_proxy=not is_loopback(urlsplit(url).hostname or ""),
    )


def _local_backend(options: LLMOptions, device: str | None) -> Backend:
    try:
        from extract.llm.local import load_backend
    except ImportError as exc:
        raise ConfigError(
            f"a local model needs the Hugging Face extra ({exc.name} is missing)", hint=HF_HINT
        ) from exc
    return load_backend(
        options.model_path,
        device=device,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
    )
