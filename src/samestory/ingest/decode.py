"""Bytes to text: encoding detection (UTF-8 first, then charset-normalizer), binary detection."""

from __future__ import annotations

import codecs
import re

from samestory.errors import ReadError

SNIFF_BYTES = 8192
DETECT_BYTES = 262_144
_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _boms(data: bytes) -> tuple[str, int] | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", 0
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    return None


def detect_encoding(data: bytes, source: str) -> str:
    """The encoding of ``data``: a BOM's, else UTF-8 when it decodes, else charset-normalizer's best guess.

    Raises `ReadError` when the bytes look binary (NUL bytes, no plausible text encoding).
    """
    bom = _boms(data)
    if bom is not None:
        return bom[0]
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        raise ReadError(
            source,
            "looks binary (NUL bytes); expected a text, HTML, JSONL, CSV or WARC file — check the path",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and len(data) > DETECT_BYTES:
            return "utf-8"  # a sample cut inside a multi-byte character
    else:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:DETECT_BYTES]).best()
    if best is None:
        raise ReadError(
            source,
            "looks binary (no text encoding fits); expected text in UTF-8, cp1251, latin-1 or similar — check the path",
        )
    return str(best.encoding)


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data`` to text; returns ``(text, encoding)``. Raises `ReadError` for binary or empty input."""
    if not data.strip():
        raise ReadError(
            source, "is empty; expected an article's text — check that the file was written completely"
        )
    encoding = detect_encoding(data, source)
    skip = _boms(data)
    text = data[skip[1] if skip else 0 :].decode(encoding, errors="replace")
    sample = text[:SNIFF_BYTES]
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if bad > max(8, len(sample) // 50):
        raise ReadError(
            source,
            f"looks binary ({bad} control or undecodable characters in the first {len(sample)}); expected text — check the path",
        )
    if not text.strip():
        raise ReadError(
            source, "is empty; expected an article's text — check that the file was written completely"
        )
    return text, encoding
