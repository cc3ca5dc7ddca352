"""sentence-transformers models by name or local path (extra ``samestory[transformers]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.errors import MissingDependencyError, ModelError


class SentenceTransformerEncoder:
    """A sentence-transformers model; ``model`` is a hub name (needs a cache or network) or a local path."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependencyError(
                "sentence-transformers encoders", "sentence-transformers", "transformers"
            ) from exc
        try:
            self._model: Any = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many unrelated types for a bad name or path
            raise ModelError(
                f"cannot load sentence-transformers model {model!r}: {exc}; "
                "pass a local model directory, or a name already in the local cache"
            ) from exc
        self.name = f"st/{model}"
        dim = self._model.get_sentence_embedding_dimension()
        if dim is None:
            raise ModelError(f"sentence-transformers model {model!r} does not report an embedding dimension")
        self.dim = int(dim)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)
