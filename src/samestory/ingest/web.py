"""HTML pages (trafilatura) and WARC archives (warcio): title, date, author and main text."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any, BinaryIO

from samestory.article import Article
from samestory.errors import InputError, ReadError, RecordError
from samestory.ingest.build import from_text
from samestory.ingest.decode import decode_bytes
from samestory.ingest.options import ReadOptions


def extract_html(html: str) -> dict[str, Any] | None:
    """trafilatura's extraction (title, author, date, text, url, sitename, …) or ``None`` when it finds no text."""
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
        )
    if doc is None:
        return None
    result: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return result


def read_html(
    data: bytes, source: str, opts: ReadOptions, *, id: str, url: str = "", date: str = ""
) -> Article:
    """One HTML page to an article (main text only; the page's furniture is left out by trafilatura)."""
    from samestory.ingest.records import parse_date

    html, encoding = decode_bytes(data, source)
    doc = extract_html(html)
    text = str((doc or {}).get("text") or "")
    if not text.strip():
        raise ReadError(source, "has no main text that could be extracted; expected an article page")
    assert doc is not None
    meta: dict[str, Any] = {"format": "html", "encoding": encoding}
    for key in ("author", "sitename", "hostname", "description", "categories", "tags", "language"):
        value = doc.get(key)
        if value:
            meta[key] = value
    published = parse_date(doc.get("date")) or parse_date(date)
    return from_text(
        text,
        title=str(doc.get("title") or "") or None,
        id=id,
        lang=opts.lang,
        published=published,
        source=source,
        url=url or str(doc.get("url") or ""),
        meta=meta,
    )


def read_warc(fh: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    """Every HTML response record of a WARC (``.warc`` or ``.warc.gz``) as an article; other records are skipped.

    A record cut short (a truncated ``.warc``) or a ``.warc.gz`` whose last gzip member is incomplete gives
    an error naming the byte offset where the damage starts; the complete records before it are still read.
    """
    from warcio.archiveiterator import ArchiveIterator

    number = 0
    pages = 0
    iterator = ArchiveIterator(fh)
    try:
        for record in iterator:
            number += 1
            if record.rec_type != "response" or record.http_headers is None:
                _drain(record, iterator, source, number)
                continue
            ctype = (record.http_headers.get_header("Content-Type") or "").lower()
            if "html" not in ctype:
                _drain(record, iterator, source, number)
                continue
            pages += 1
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            when = record.rec_headers.get_header("WARC-Date") or ""
            payload = record.content_stream().read(opts.max_bytes + 1)
            where = f"{source} record {number}"
            if len(payload) > opts.max_bytes:
                _drain(record, iterator, source, number)
                yield RecordError(
                    source,
                    number,
                    f"record is over the {opts.max_bytes:,}-byte limit; raise it with --max-bytes",
                )
                continue
            _drain(record, iterator, source, number)
            try:
                yield read_html(payload, where, opts, id=uri or f"{source}#{number}", url=uri, date=when)
            except InputError as exc:
                yield RecordError(source, number, f"({uri or 'no URI'}) {getattr(exc, 'problem', exc)}")
    except InputError:
        raise
    except Exception as exc:  # warcio raises assorted errors on damaged archives
        raise RecordError(
            source,
            number + 1,
            f"malformed WARC record ({type(exc).__name__}: {exc}); expected a WARC 1.0/1.1 file",
        ) from None
    cut = _gzip_cut(fh)
    if cut is not None:
        raise ReadError(
            source,
            f"is truncated: the gzip member at byte offset {cut:,} ends before its end; "
            f"the {number} complete record(s) before it were read",
        )
    if number == 0:
        raise ReadError(source, "holds no WARC records; expected a .warc or .warc.gz file")
    if pages == 0:
        raise ReadError(
            source, f"holds {number} WARC record(s) but no HTML response; expected archived article pages"
        )


def _drain(record: Any, iterator: Any, source: str, number: int) -> None:
    """Read the rest of a record; raise `RecordError` when the file ends before the record's declared length."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    if getattr(stream, "limit", 0) > 0:
        offset = iterator.get_record_offset()  # known once the record is read (warcio)
        raise RecordError(
            source,
            number,
            f"is truncated: the record at byte offset {offset:,} ends {stream.limit:,} bytes before its "
            "declared length; the records before it were read",
        )


def _gzip_cut(fh: BinaryIO) -> int | None:
    """The offset of the gzip member that ends early when ``fh`` is gzip data cut short, else ``None``."""
    import zlib

    fh.seek(0)
    if fh.read(2) != b"\x1f\x8b":
        return None
    fh.seek(0)
    member_start = 0
    consumed = 0
    inflater = zlib.decompressobj(wbits=31)
    started = False
    while chunk := fh.read(1 << 20):
        while chunk:
            started = True
            try:
                inflater.decompress(chunk)
            except zlib.error:
                return member_start
            if not inflater.eof:
                consumed += len(chunk)
                break
            used = len(chunk) - len(inflater.unused_data)
            consumed += used
            member_start = consumed
            chunk = inflater.unused_data
            inflater = zlib.decompressobj(wbits=31)
            started = False
    return member_start if started else None
