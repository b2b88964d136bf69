"""Sentence embeddings for retrieval: a local sentence-transformers model (the packaged
all-MiniLM-L6-v2 by default, or any folder), mean-pooled over tokens and L2-normalised, as
the model was trained, so that a dot product is the cosine similarity.

Speed on CPU comes from two things (benchmarks/RESULTS.md, "Sentence embedding speed"):
sentences are batched by length, so a batch pads to its own longest rather than to the
longest of a random mix (2x), and the model runs in bfloat16 where the CPU computes it
natively (2x again; cosine to float32 0.99995)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extract.precision import Precision, resolve_precision
from pvkg.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

HF_HINT = "pip install 'pvkg[hf]'"
MAX_TOKENS = 128


class SentenceEncoder:
    """Batches of sentences to unit vectors (float32), on CPU unless told otherwise."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        dtype: Precision = "auto",
    ) -> None:
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise ConfigError(f"sentence embeddings need {exc.name}", hint=HF_HINT) from exc
        from extract.finetune.encoder.base import base_model_dir, base_model_name

        folder = base_model_dir(model)
        self.name = base_model_name(model, folder)
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.dtype = resolve_precision(dtype, device)
        model_dtype = getattr(torch, self.dtype)
        loaded = AutoModel.from_pretrained(folder, local_files_only=True)
        self._model: Any = loaded.to(device=device, dtype=model_dtype)
        self._model.eval()
        self._device = device
        self.batch_size = batch_size
        self.dimension = int(self._model.config.hidden_size)

    def encode(self, sentences: Sequence[str]) -> NDArray[np.float32]:
        """One unit vector per sentence, in the order given."""
        import numpy as np

        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        by_length = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for start in range(0, len(by_length), self.batch_size):
            rows = by_length[start : start + self.batch_size]
            out[rows] = self._batch([sentences[i] for i in rows])
        return out

    def _batch(self, sentences: list[str]) -> NDArray[np.float32]:
        torch = self._torch
        encoded = self._tokenizer(
            sentences, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        ).to(self._device)
        with torch.inference_mode():
            tokens = self._model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        unit = torch.nn.functional.normalize(pooled.float(), dim=1)
        return unit.cpu().numpy()  # type: ignore[no-any-return]
