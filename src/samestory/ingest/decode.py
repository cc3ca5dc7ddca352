"""Bytes to text: encoding detection (UTF-8 first, then charset-normalizer), binary detection."""

from __future__ import annotations

import codecs
import re

from samestory.errors import ReadError

SNIFF_BYTES = 8192
DETECT_BYTES = 262_144
_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_BINARY_BYTES = bytes([*range(0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])  # as _CONTROL


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


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names (``utf-8``, ``utf-16``, ``utf-32``)."""
    bom = _boms(data)
    return bom[0] if bom is not None else None


def mostly_utf8(data: bytes) -> bool:
    """True when ``data`` is UTF-8 apart from a few stray bytes (a damaged line or two), rather than text in
    another encoding: at most 2 undecodable sequences, or fewer than a quarter as many as the valid
    non-ASCII characters around them (text in cp1251 or latin-1 has almost no valid UTF-8 sequences)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= 2:
        return True
    wide = sum(1 for ch in text if ch > "\x7f") - bad
    return bad * 4 < wide


def records_encoding(sample: bytes, source: str) -> str | None:
    """The encoding of a multi-record file (JSONL, CSV) from a sample of it; ``None`` when it is UTF-8 apart
    from a few damaged bytes (the reader then decodes line by line and names the lines that fail).

    Unlike `detect_encoding`, a few NUL bytes do not make the file binary: they damage one record, not the
    file. Raises `ReadError` when the sample is mostly NULs or control bytes (a binary file).
    """
    bom = _boms(sample)
    if bom is not None:
        return bom[0]
    head = sample[:SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    if controls > max(8, len(head) // 50):
        raise ReadError(
            source,
            f"looks binary ({controls} NUL or control bytes in the first {len(head):,}); "
            "expected a text, JSONL or CSV file — check the path",
        )
    if mostly_utf8(sample):
        return None
    try:
        return detect_encoding(sample.replace(b"\x00", b""), source)
    except ReadError:
        return None


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
