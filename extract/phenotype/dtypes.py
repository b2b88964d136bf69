"""The precisions a sentence-embedding model may run in (kept apart from the model code so
that options can name them without importing torch)."""

from typing import Literal, get_args

EmbeddingDtype = Literal["auto", "float32", "bfloat16"]
EMBEDDING_DTYPES: tuple[EmbeddingDtype, ...] = get_args(EmbeddingDtype)
