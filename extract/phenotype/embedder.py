"""Sentence embeddings for retrieval: a local sentence-transformers model (the packaged
all-MiniLM-L6-v2 by default, or any folder), mean-pooled over tokens and L2-normalised, as
the model was trained, so that a dot product is the cosine similarity."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pvkg.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

HF_HINT = "pip install 'pvkg[hf]'"
MAX_TOKENS = 128


class SentenceEncoder:
    """Batches of sentences to unit vectors (float32), on CPU unless told otherwise."""

    def __init__(
        self, model: str | Path | None = None, *, device: str = "cpu", batch_size: int = 64
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
        self._model: Any = AutoModel.from_pretrained(folder, local_files_only=True).to(device)
        self._model.eval()
        self._device = device
        self.batch_size = batch_size
        self.dimension = int(self._model.config.hidden_size)

    def encode(self, sentences: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        parts = [self._batch(list(chunk)) for chunk in _chunks(sentences, self.batch_size)]
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(parts)

    def _batch(self, sentences: list[str]) -> NDArray[np.float32]:
        torch = self._torch
        encoded = self._tokenizer(
            sentences, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        ).to(self._device)
        with torch.inference_mode():
            tokens = self._model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        unit = torch.nn.functional.normalize(pooled, dim=1)
        return unit.cpu().numpy().astype("float32")  # type: ignore[no-any-return]


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
