"""Readers: files, directories and stdin to `Article`s (or the `InputError` of what could not be read).

``read_paths`` yields errors instead of raising them, so one bad file or line never stops a batch; ``load``
reads one single-article file and raises. Formats are chosen by extension (``ReadOptions.format`` overrides):

=====================  =====================================================================================
``.txt`` (other)       first non-empty line is the title (unless it is too long to be one); the rest is the body
``.html`` ``.htm``     title, date, author, main text via trafilatura
``.jsonl`` ``.ndjson`` one JSON object per line, fields mapped by `ReadOptions`
``.json``              one article object, an array of them, or ``{"articles": [...]}`` (same field mapping)
``.csv``               one article per row, columns mapped by `ReadOptions`
``.parquet``           one article per row, columns mapped by `ReadOptions` (the ``parquet`` extra: pyarrow)
``.warc`` ``.warc.gz`` HTML response records, each read like an ``.html`` file
``-``                  stdin: sniffed as HTML, JSONL, JSON array, WARC or plain text
=====================  =====================================================================================
"""

from __future__ import annotations

import csv
import errno
import functools
import io
import json
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from samestory.article import Article
from samestory.errors import EmptyArticleError, InputError, MissingDependencyError, ReadError, RecordError
from samestory.ingest.build import from_text
from samestory.ingest.clean import clean_title
from samestory.ingest.decode import SNIFF_BYTES, bom_encoding, decode_bytes, records_encoding
from samestory.ingest.options import (
    DATE_FIELDS,
    ID_FIELDS,
    LANG_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    URL_FIELDS,
    ReadOptions,
)

STDIN = "-"
MAX_TITLE_CHARS = 300
FORMATS = ("txt", "html", "jsonl", "json", "csv", "parquet", "warc")
_MULTI = ("jsonl", "json", "csv", "parquet", "warc")
_SUFFIXES = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".arc.gz": "warc",
}


def format_of(path: Path) -> str | None:
    """The reader for ``path`` by its extension, or ``None`` when the extension is not a known one."""
    name = path.name.lower()
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


# --- entry points ---------------------------------------------------------------------------------------


def read_paths(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, stdin: BinaryIO | None = None
) -> Iterator[Article | InputError]:
    """Articles from files, directories (recursively, sorted, known extensions only) and ``"-"`` (stdin).

    Errors are yielded as `InputError`s (`ReadError` for a file, `RecordError` for one line/row/record),
    never raised, so the rest of the batch is still read. Only regular files are opened: a FIFO, a device
    or a socket is refused (reading one could block forever); ``"-"`` is the way to read a stream.
    ``stdin`` replaces ``sys.stdin.buffer`` for ``"-"`` (a caller reading the input twice passes a copy).
    """
    opts = options or ReadOptions()
    for raw in paths:
        if str(raw) == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _guard(STDIN, functools.partial(_read_stdin, opts, stream))
            continue
        path = Path(raw)
        if path.is_dir():
            children, broken = _walk(path)
            yield from broken
            if not children and not broken:
                known = ", ".join(sorted(set(_SUFFIXES)))
                yield ReadError(
                    str(path), f"is a directory with no files to read; expected files ending in {known}"
                )
            for child in children:
                ident = _strip_suffix(child.relative_to(path).as_posix())
                yield from _guard(str(child), functools.partial(_read_file, child, opts, ident))
        else:
            yield from _guard(str(path), functools.partial(_read_file, path, opts))


def load(path: str | Path, options: ReadOptions | None = None) -> Article:
    """Read one file that holds one article; raises the `InputError` that `read_paths` would yield."""
    results = list(read_paths([path], options))
    for r in results:
        if isinstance(r, InputError):
            raise r
    if len(results) != 1:
        raise InputError(
            f"{path}: expected one article, found {len(results)}; use read_paths() for multi-article files"
        )
    article = results[0]
    assert isinstance(article, Article)
    return article


def _guard(
    source: str, produce: Callable[[], Iterable[Article | InputError]]
) -> Iterator[Article | InputError]:
    """Run a reader, turning any failure (ours or a parser's) into a yielded `InputError`."""
    try:
        yield from produce()
    except InputError as exc:
        yield exc
    except MissingDependencyError:
        raise  # a missing extra is the set-up's, not the file's: it stops the run with what to install
    except MemoryError:
        yield ReadError(source, "is too large to hold in memory; lower --max-bytes or split the file")
    except Exception as exc:  # a third-party parser failing on hostile input must not end the batch
        yield ReadError(source, f"could not be parsed ({type(exc).__name__}: {exc}); check the file's format")


def _walk(root: Path) -> tuple[list[Path], list[ReadError]]:
    """The readable files under ``root`` (sorted), and an error for each symbolic link that leads nowhere
    (a loop or a missing target), so that nothing in the folder is skipped without a word."""
    found = []
    broken: list[ReadError] = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).parts
        if any(part.startswith(".") for part in rel):
            continue
        if p.is_symlink():
            try:
                p.stat()
            except OSError as exc:
                loop = exc.errno == errno.ELOOP
                problem = "is a symbolic link loop" if loop else "is a symbolic link to a missing file"
                broken.append(ReadError(str(p), f"{problem}; skipped (fix or remove the link)"))
                continue
        if p.is_file() and format_of(p) is not None:
            found.append(p)
    return sorted(found, key=lambda p: p.as_posix()), sorted(broken, key=lambda e: e.source)


def _require_regular(path: Path) -> None:
    """Refuse a FIFO, device or socket before opening it (opening a FIFO blocks until a writer comes)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # opening it names the problem (missing, permission denied)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    if stat.S_ISFIFO(mode):
        kind = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "a special file"
    raise ReadError(
        str(path), f"is {kind}, not a regular file; pass a file or a directory, or pipe it to '-' (stdin)"
    )


# --- bytes in -------------------------------------------------------------------------------------------


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                source,
                f"is {size:,} bytes, over the {max_bytes:,}-byte limit for one article; "
                "raise the limit with --max-bytes (ReadOptions.max_bytes) if it is really one article",
            )
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReadError(source, "does not exist; expected a file, a directory or '-' for stdin") from None
    except IsADirectoryError:
        raise ReadError(source, "is a directory that cannot be listed") from None
    except PermissionError:
        raise ReadError(source, "cannot be read (permission denied); check the file's permissions") from None
    except OSError as exc:
        raise ReadError(source, f"cannot be read ({exc.strerror or exc}); check the path") from None


def _strip_suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _read_file(path: Path, opts: ReadOptions, ident: str | None = None) -> Iterator[Article | InputError]:
    fmt = opts.format or format_of(path) or "txt"
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    _require_regular(path)
    source = str(path)
    if fmt in _MULTI:
        try:
            fh = path.open("rb")
        except OSError:
            _read_bytes(path, 0)  # raises the right ReadError
            raise
        with fh:
            yield from _read_records(fh, fmt, source, opts)
        return
    data = _read_bytes(path, opts.max_bytes)
    if fmt == "html":
        from samestory.ingest.web import read_html

        yield read_html(data, source, opts, id=ident or path.stem)
    else:
        yield read_txt(data, source, opts, id=ident or path.stem)


def _read_stdin(opts: ReadOptions, stream: BinaryIO) -> Iterator[Article | InputError]:
    data = stream.read()  # multi-record input may be large; the limit applies per article below
    fmt = opts.format or _sniff(data)
    if fmt in _MULTI:
        yield from _read_records(io.BytesIO(data), fmt, "<stdin>", opts)
        return
    if len(data) > opts.max_bytes:
        raise ReadError(
            "<stdin>", f"is over the {opts.max_bytes:,}-byte limit for one article; raise it with --max-bytes"
        )
    if fmt == "html":
        from samestory.ingest.web import read_html

        yield read_html(data, "<stdin>", opts, id="stdin")
    else:
        yield read_txt(data, "<stdin>", opts, id="stdin")


def _read_records(fh: BinaryIO, fmt: str, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    if fmt == "jsonl":
        yield from _read_jsonl(fh, source, opts)
    elif fmt == "json":
        yield from _read_json(fh, source, opts)
    elif fmt == "csv":
        yield from _read_csv(fh, source, opts)
    elif fmt == "parquet":
        yield from _read_parquet(fh, source, opts)
    else:
        from samestory.ingest.web import read_warc

        yield from read_warc(fh, source, opts)


def _sniff(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(b"warc/") or data[:2] == b"\x1f\x8b":
        return "warc"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return "html"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"["):
        return "json"
    return "txt"


# --- plain text -----------------------------------------------------------------------------------------


def split_title(text: str) -> tuple[str, str]:
    """``(title, body)`` of a plain-text article: the first non-empty line is the title, unless it is longer
    than a headline can be (then there is no title) or nothing follows it (then it is the body)."""
    stripped = text.lstrip()
    first, nl, rest = stripped.partition("\n")
    first = first.strip()
    if not nl or not rest.strip() or len(first) > MAX_TITLE_CHARS:
        return "", text
    return first, rest.lstrip("\n")


def read_txt(data: bytes, source: str, opts: ReadOptions, *, id: str) -> Article:
    """One plain-text article: the first line is the title (without a trailing agency number); the text keeps
    that line, marked as ``title`` debris (the agency number as ``feed``), so nothing read is dropped."""
    text, encoding = decode_bytes(data, source)
    raw_title, body = split_title(text)
    if not body.strip():
        raise EmptyArticleError(f"{source}: has no body text; expected an article's text")
    meta: dict[str, Any] = {"format": "txt", "encoding": encoding}
    return from_text(
        text, title=clean_title(raw_title) or None, id=id, lang=opts.lang, source=source, meta=meta
    )


# --- records: JSONL and CSV -----------------------------------------------------------------------------


def _pick(
    record: Mapping[str, Any], named: str | None, candidates: tuple[str, ...]
) -> tuple[str | None, Any]:
    if named is not None:
        return (named, record[named]) if named in record else (None, None)
    for key in candidates:
        if key in record and record[key] not in (None, ""):
            return key, record[key]
    lowered = {str(k).lower(): k for k in record}
    for key in candidates:
        if key in lowered and record[lowered[key]] not in (None, ""):
            return lowered[key], record[lowered[key]]
    return None, None


def parse_date(value: Any) -> datetime | None:
    """A datetime from an ISO-8601 string or a Unix timestamp; ``None`` when it is neither."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            from datetime import UTC

            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        s = value.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(s)
        except ValueError:
            return None
    return None


def record_to_article(
    record: Mapping[str, Any], source: str, line: int, opts: ReadOptions, default_id: str
) -> Article:
    """One JSONL/CSV record to an article; `RecordError` when its text is missing, not text, or empty."""
    text_key, text = _pick(record, opts.text_field, TEXT_FIELDS)
    if text_key is None:
        wanted = repr(opts.text_field) if opts.text_field else "one of " + ", ".join(TEXT_FIELDS)
        fields = ", ".join(map(str, list(record)[:12])) or "none"
        raise RecordError(
            source, line, f"no text field ({wanted}); fields found: {fields}; choose one with --text-field"
        )
    if not isinstance(text, str):
        raise RecordError(
            source, line, f"field {text_key!r} holds {type(text).__name__}, expected a string of article text"
        )
    if not text.strip():
        raise RecordError(source, line, f"field {text_key!r} is empty; expected the article's text")
    if len(text.encode("utf-8", "surrogatepass")) > opts.max_bytes:
        raise RecordError(
            source, line, f"text is over the {opts.max_bytes:,}-byte limit; raise it with --max-bytes"
        )
    title_key, title = _pick(record, opts.title_field, TITLE_FIELDS)
    if opts.title_field is not None and title_key is None:
        raise RecordError(source, line, f"no title field {opts.title_field!r}; check --title-field")
    id_key, ident = _pick(record, opts.id_field, ID_FIELDS)
    if opts.id_field is not None and id_key is None:
        raise RecordError(source, line, f"no id field {opts.id_field!r}; check --id-field")
    date_key, date_value = _pick(record, opts.date_field, DATE_FIELDS)
    if opts.date_field is not None and date_key is None:
        raise RecordError(source, line, f"no date field {opts.date_field!r}; check --date-field")
    url_key, url = _pick(record, None, URL_FIELDS)
    _, lang = _pick(record, None, LANG_FIELDS)
    used = {text_key, title_key, id_key, url_key}
    meta = {str(k): v for k, v in record.items() if k not in used and k is not None}
    meta["line"] = line
    return from_text(
        text,
        title=str(title) if title not in (None, "") else None,
        id=str(ident) if ident not in (None, "") else default_id,
        lang=opts.lang or (lang if isinstance(lang, str) and lang else None),
        published=parse_date(date_value),
        source=source,
        url=str(url) if url else "",
        meta=meta,
    )


def _record(
    record: Mapping[str, Any], source: str, line: int, opts: ReadOptions, default_id: str
) -> Article | InputError:
    """`record_to_article`, or the error of this one record: whatever goes wrong with one record (ours or a
    library's) is reported with its line, and the records after it are still read."""
    try:
        return record_to_article(record, source, line, opts, default_id)
    except InputError as exc:
        return exc
    except RecursionError:
        return RecordError(source, line, "a field is nested too deeply; expected flat JSON fields")
    except Exception as exc:  # hostile content must cost one record, not the file
        return RecordError(source, line, f"could not be read ({type(exc).__name__}: {exc})")


def _stem(source: str) -> str:
    return "stdin" if source == "<stdin>" else Path(source).stem


def _jsonl_lines(fh: BinaryIO, source: str) -> Iterator[tuple[int, str | RecordError]]:
    """``(line number, text)`` of each line; a line that cannot be decoded gives its `RecordError` instead.

    UTF-16/32 with a byte-order mark is decoded as a whole (as the .txt and .csv readers do). Otherwise each
    line is UTF-8 when it decodes; a line that does not is decoded in the file's legacy encoding when the
    file is in one (cp1251, latin-1…), and is reported (with its line) when the file is UTF-8 but for it.
    """
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    wide = bom_encoding(head)
    if wide in ("utf-16", "utf-32"):
        text = io.TextIOWrapper(fh, encoding=wide, errors="replace", newline=None)
        for lineno, line in enumerate(text, start=1):
            yield lineno, line.removeprefix("\ufeff")
        return
    fallback: str | None = None
    looked = False
    lineno = 0
    while raw := fh.readline():
        lineno += 1
        try:
            yield lineno, raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            continue
        except UnicodeDecodeError as exc:
            where = f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
        if not looked:
            looked = True
            here = fh.tell()
            fh.seek(0)
            fallback = records_encoding(fh.read(262_144), source)
            fh.seek(here)
        if fallback is None or fallback.startswith("utf"):
            yield (
                lineno,
                RecordError(
                    source, lineno, f"is not valid UTF-8 ({where}); re-encode the line (or the file) as UTF-8"
                ),
            )
        else:
            yield lineno, raw.decode(fallback, errors="replace")


def _read_jsonl(fh: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    stem = _stem(source)
    count = 0
    for lineno, line in _jsonl_lines(fh, source):
        if isinstance(line, RecordError):
            count += 1
            yield line
            continue
        if not line.strip():
            continue
        count += 1
        if len(line) > opts.max_bytes:
            yield RecordError(
                source, lineno, f"line is over the {opts.max_bytes:,}-byte limit; raise it with --max-bytes"
            )
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield RecordError(source, lineno, f"malformed JSON ({msg}); expected one JSON object per line")
            continue
        if not isinstance(record, dict):
            yield RecordError(
                source, lineno, f"holds a JSON {type(record).__name__}, expected a JSON object per line"
            )
            continue
        yield _record(record, source, lineno, opts, f"{stem}:{lineno}")
    if count == 0:
        raise ReadError(source, "is empty; expected one JSON object per line")


_JSON_LISTS = ("articles", "items", "data", "documents", "docs", "records", "results")


def _read_json(fh: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    """A ``.json`` file: one article object, an array of them, or an object holding the array (``articles``…)."""
    text, _ = decode_bytes(fh.read(), source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            source,
            f"malformed JSON (line {exc.lineno}: {exc.msg}); expected an article object or an array of them",
        ) from None
    except RecursionError:
        raise ReadError(
            source, "JSON nested too deeply; expected an article object or an array of them"
        ) from None
    items: list[Any]
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        inner = next((doc[k] for k in _JSON_LISTS if isinstance(doc.get(k), list)), None)
        items = inner if inner is not None and _pick(doc, opts.text_field, TEXT_FIELDS)[0] is None else [doc]
    else:
        raise ReadError(
            source, f"holds a JSON {type(doc).__name__}; expected an article object or an array of them"
        )
    if not items:
        raise ReadError(source, "holds no articles (an empty JSON array)")
    stem = _stem(source)
    for number, record in enumerate(items, start=1):
        if not isinstance(record, dict):
            yield RecordError(
                source, number, f"item {number} is a JSON {type(record).__name__}, expected an object"
            )
            continue
        yield _record(record, source, number, opts, f"{stem}:{number}")


def _read_csv(fh: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    sample = fh.read(262_144)
    fh.seek(0)
    if not sample.strip():
        raise ReadError(source, "is empty; expected a CSV file with a header row")
    # a NUL or a stray byte damages a row, not the file: such rows are read with U+FFFD in their place
    encoding = records_encoding(sample, source) or "utf-8"
    if encoding == "utf-8" and sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    text = io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="")
    csv.field_size_limit(max(opts.max_bytes, 131_072))
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError(source, "is empty; expected a CSV file with a header row") from None
    except csv.Error as exc:
        raise ReadError(source, f"has a malformed header row ({exc}); expected a CSV header") from None
    header = [h.strip() for h in header]
    wanted = opts.text_field
    if wanted is not None and wanted not in header:
        raise ReadError(
            source,
            f"has no column {wanted!r} (columns: {', '.join(header[:20])}); choose one with --text-field",
        )
    if wanted is None and not any(h.lower() in TEXT_FIELDS for h in header):
        raise ReadError(
            source,
            f"has no text column (expected one of {', '.join(TEXT_FIELDS)}; columns: {', '.join(header[:20])}); "
            "choose one with --text-field",
        )
    stem = _stem(source)
    rows = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RecordError(source, line, f"malformed CSV row ({exc})")
            continue
        if not row or all(not c.strip() for c in row):
            continue
        rows += 1
        if len(row) != len(header):
            yield RecordError(
                source, line, f"row has {len(row)} fields, expected {len(header)} as in the header"
            )
            continue
        record = dict(zip(header, row, strict=True))
        yield _record(record, source, line, opts, f"{stem}:{line}")
    if rows == 0:
        raise ReadError(source, "has a header row but no records; expected one article per row below it")


def _plain(value: Any) -> Any:
    """A column value as JSON has it (what a JSONL record of the same article would hold): dates and times
    as ISO-8601 strings, decimals as floats, bytes as UTF-8 text; lists and objects value by value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def read_rows(
    rows: Iterable[Mapping[str, Any]], source: str, options: ReadOptions | None = None
) -> Iterator[Article | InputError]:
    """Articles from table rows (a Parquet file's, a DataFrame's), numbered from 1 in ``source``'s errors and
    default ids (``STEM:ROW``); columns mapped by `ReadOptions` as in JSONL; a bad row is its `RecordError`."""
    opts = options or ReadOptions()
    stem = _stem(source)
    for number, row in enumerate(rows, start=1):
        record = {str(k): _plain(v) for k, v in row.items()}
        yield _record(record, source, number, opts, f"{stem}:{number}")


def _read_parquet(fh: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("Parquet input", "pyarrow", "parquet") from None
    try:
        table = pq.ParquetFile(fh)
    except Exception as exc:  # pyarrow raises its own errors for a file that is not Parquet
        raise ReadError(source, f"is not a readable Parquet file ({exc})") from None
    names = table.schema_arrow.names
    wanted = opts.text_field
    if (wanted is None and not any(n.lower() in TEXT_FIELDS for n in names)) or (
        wanted is not None and wanted not in names
    ):
        expected = repr(wanted) if wanted else "one of " + ", ".join(TEXT_FIELDS)
        raise ReadError(
            source,
            f"has no text column ({expected}; columns: {', '.join(names[:20])}); choose one with --text-field",
        )
    if table.metadata.num_rows == 0:
        raise ReadError(source, "has no rows; expected one article per row")

    def rows() -> Iterator[dict[str, Any]]:
        for batch in table.iter_batches(batch_size=1024):
            yield from batch.to_pylist()

    yield from read_rows(rows(), source, opts)
