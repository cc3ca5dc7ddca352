"""Load WMT news test sets (the ``newstestYYYY.xx-yy.all.xml`` format): one source, references and MT outputs
per document, segment-aligned by ``seg id``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from samestory.errors import DataError


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a WMT document: ``kind`` is ``src``, ``ref`` or ``hyp``; ``name`` the translator or system.

    ``segments`` are ``(seg_id, text)`` pairs in document order; ``paragraphs`` groups their indices by ``<p>``.
    """

    kind: str
    name: str
    lang: str
    segments: tuple[tuple[str, str], ...]
    paragraphs: tuple[tuple[int, ...], ...] = ()

    @property
    def text(self) -> str:
        """The document as plain text: one paragraph per line block, segments joined by spaces."""
        groups = self.paragraphs or (tuple(range(len(self.segments))),)
        return "\n\n".join(" ".join(self.segments[i][1] for i in group) for group in groups)


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    origlang: str
    source: Version
    refs: tuple[Version, ...] = field(default=())
    hyps: tuple[Version, ...] = field(default=())

    @property
    def versions(self) -> tuple[Version, ...]:
        return (self.source, *self.refs, *self.hyps)


def _version(elem: ET.Element, kind: str, where: str) -> Version:
    segments: list[tuple[str, str]] = []
    paragraphs: list[tuple[int, ...]] = []
    for p in elem.iter("p"):
        start = len(segments)
        for seg in p.iter("seg"):
            seg_id = seg.get("id")
            if seg_id is None:
                raise DataError(f"{where}: a <seg> without an id attribute; every segment needs one")
            segments.append((seg_id, (seg.text or "").strip()))
        if len(segments) > start:
            paragraphs.append(tuple(range(start, len(segments))))
    name = elem.get("translator") or elem.get("system") or kind
    return Version(kind, name, elem.get("lang", ""), tuple(segments), tuple(paragraphs))


def load_wmt(path: str | Path) -> list[Document]:
    """All documents of a WMT-format XML file, in file order.

    Raises `DataError` naming the file when it is missing, not XML, or lacks the expected structure.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise DataError(
            f"{path}: no such file; pass a WMT-format XML file (newstestYYYY.xx-yy.all.xml)"
        ) from None
    except ET.ParseError as exc:
        raise DataError(f"{path}: not well-formed XML ({exc}); expected a WMT-format XML file") from None
    docs: list[Document] = []
    for doc in root.iter("doc"):
        doc_id = doc.get("id", f"doc{len(docs)}")
        where = f"{path} doc {doc_id}"
        src = doc.find("src")
        if src is None:
            raise DataError(f"{where}: no <src> element; each <doc> needs its source")
        refs = tuple(_version(e, "ref", where) for e in doc.findall("ref"))
        hyps = tuple(_version(e, "hyp", where) for e in doc.findall("hyp"))
        docs.append(
            Document(
                doc_id, doc.get("origlang", src.get("lang", "")), _version(src, "src", where), refs, hyps
            )
        )
    if not docs:
        raise DataError(f"{path}: no <doc> elements found; expected a WMT-format XML file")
    return docs
