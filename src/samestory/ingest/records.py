"""Records to articles: the multi-record formats (JSONL, JSON, CSV, Parquet; WARC in `samestory.ingest.web`) and
table rows (`read_rows`: a Parquet file's, a Spark DataFrame's), each record's fields mapped by `ReadOptions`
(`record_to_article`). A bad record is its own `RecordError`, with its line or row; the records after it are
still read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from samestory.article import Article
from samestory.errors import InputError, MissingDependencyError, ReadError, RecordError
from samestory.ingest.build import from_text
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

_JSON_LISTS = ("articles", "items", "data", "documents", "docs", "records", "results")


def read_records(fh: BinaryIO, fmt: str, source: str, opts: ReadOptions) -> Iterator[Article | InputError]:
    """The articles (or the `InputError` of each bad record) of a multi-record file of format ``fmt``."""
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


def _require_text_column(source: str, columns: list[str], opts: ReadOptions) -> None:
    """Refuse a table (CSV header, Parquet schema) without the text column: the one ``--text-field`` names,
    else one of `TEXT_FIELDS` (any case)."""
    wanted = opts.text_field
    if wanted is not None and wanted not in columns:
        raise ReadError(
            source,
            f"has no column {wanted!r} (columns: {', '.join(columns[:20])}); choose one with --text-field",
        )
    if wanted is None and not any(c.lower() in TEXT_FIELDS for c in columns):
        raise ReadError(
            source,
            f"has no text column (expected one of {', '.join(TEXT_FIELDS)}; columns: {', '.join(columns[:20])}); "
            "choose one with --text-field",
        )


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
    _require_text_column(source, header, opts)
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
    _require_text_column(source, table.schema_arrow.names, opts)
    if table.metadata.num_rows == 0:
        raise ReadError(source, "has no rows; expected one article per row")

    def rows() -> Iterator[dict[str, Any]]:
        for batch in table.iter_batches(batch_size=1024):
            yield from batch.to_pylist()

    yield from read_rows(rows(), source, opts)
