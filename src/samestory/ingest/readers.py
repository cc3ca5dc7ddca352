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

import errno
import functools
import io
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from samestory.article import Article
from samestory.errors import EmptyArticleError, InputError, MissingDependencyError, ReadError
from samestory.ingest.build import from_text
from samestory.ingest.clean import clean_title
from samestory.ingest.decode import decode_bytes
from samestory.ingest.options import ReadOptions
from samestory.ingest.records import read_records

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
            yield from read_records(fh, fmt, source, opts)
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
        yield from read_records(io.BytesIO(data), fmt, "<stdin>", opts)
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
