"""Readers fed random bytes and text only ever report the project's own error types, and good records
beside fuzzed ones always come back. Seeded (derandomized) and bounded, so CI runs the same examples every
time; benchmarks/fuzz.py runs the long version (10k inputs per reader)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samestory.article import Article
from samestory.errors import InputError, ReadError, SamestoryError
from samestory.ingest import ReadOptions, from_text, load, read_paths

SUFFIXES = [".txt", ".html", ".jsonl", ".json", ".csv", ".warc", ".warc.gz", ".dat"]
_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_MIXED = settings(max_examples=40, deadline=None, derandomize=True)
_GOOD_TEXT = (
    "Ferry crews went on strike in the northern port on Monday. Talks resume on Friday, the union said."
)
# hostile pieces a damaged record may hold (bytes, so that invalid UTF-8 and lone-surrogate escapes occur)
_HOSTILE = st.sampled_from(
    [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\x80", b"\xc3", b"\x1b[2J", b"\xe2\x80\xae",
     b"\\udfff", b"\\ud800", b"\r", b"{", b"}", b"[", b"\\", b"<", b",", b"\x1a", b"\xed\xa0\x80"]
)  # fmt: skip
_BAD_BYTES = st.lists(
    st.one_of(_HOSTILE, st.binary(max_size=8), st.text(max_size=12).map(str.encode)), max_size=12
).map(lambda parts: b"".join(parts).replace(b"\n", b" "))

# text that looks a little like the real formats, so the parsers get past their first byte
_FRAGMENTS = st.sampled_from(
    [
        '{"text": "',
        '"}',
        "<html><body><p>",
        "</p>",
        "WARC/1.0\r\n",
        "id,text\n",
        '"',
        ",",
        "\n",
        "\r\n",
        "\x00",
        "«",
        "Ã©",
    ]
)
_TEXTISH = st.lists(st.one_of(st.text(max_size=40), _FRAGMENTS), max_size=20).map("".join)


def _check(results: list[Article | InputError]) -> None:
    for r in results:
        assert isinstance(r, (Article, InputError)), r
        if isinstance(r, Article):
            for s in r.sentences:
                assert r.text[s.start : s.end] == s.text


@pytest.mark.parametrize("suffix", SUFFIXES)
@_SETTINGS
@given(data=st.one_of(st.binary(max_size=600), _TEXTISH.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_random_files_only_raise_our_errors(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"x{suffix}"
        f.write_bytes(data)
        _check(list(read_paths([f], ReadOptions(max_bytes=400))))
        with contextlib.suppress(SamestoryError):
            load(f)


@_SETTINGS
@given(data=st.binary(max_size=400))
def test_random_stdin_only_raises_our_errors(data: bytes) -> None:
    class FakeStdin:
        buffer = io.BytesIO(data)

    saved = sys.stdin
    sys.stdin = FakeStdin()  # type: ignore[assignment]
    try:
        _check(list(read_paths(["-"])))
    finally:
        sys.stdin = saved


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=_TEXTISH, title=st.one_of(st.none(), st.text(max_size=30)))
def test_from_text_keeps_its_invariants_on_any_text(text: str, title: str | None) -> None:
    a = from_text(text, title=title)
    assert [s.index for s in a.sentences] == list(range(len(a.sentences)))
    prev_end = 0
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text and s.text == s.text.strip() and s.text
        assert s.start >= prev_end
        prev_end = s.end
        inside = any(d.start <= s.start and s.end <= d.end for d in a.debris)
        assert s.debris == inside
        assert all(inside or s.end <= d.start or s.start >= d.end for d in a.debris), "straddles debris"
    for d in a.debris:
        assert 0 <= d.start < d.end <= len(a.text) and d.kind


def _read(path: Path) -> tuple[set[str], list[InputError]]:
    got = list(read_paths([path]))
    _check(got)
    return {a.url or a.id for a in got if isinstance(a, Article)}, [
        e for e in got if isinstance(e, InputError)
    ]


@_MIXED
@given(bad=st.lists(_BAD_BYTES, min_size=1, max_size=4), where=st.integers(0, 3))
def test_jsonl_good_lines_survive_beside_fuzzed_ones(bad: list[bytes], where: int) -> None:
    good = [json.dumps({"id": f"g{i}", "text": _GOOD_TEXT}).encode() for i in range(3)]
    lines = [good[0], *bad[:where], good[1], *bad[where:], good[2]]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "m.jsonl"
        f.write_bytes(b"\n".join(lines) + b"\n")
        got, errors = _read(f)
    if not any(isinstance(e, ReadError) and "binary" in str(e) for e in errors):
        assert {"g0", "g1", "g2"} <= got, errors


@_MIXED
@given(bad=st.lists(_BAD_BYTES, min_size=1, max_size=4))
def test_csv_good_rows_survive_beside_fuzzed_ones(bad: list[bytes]) -> None:
    good = [f'r{i},"{_GOOD_TEXT}"'.encode() for i in range(3)]
    rows = [b"id,text", good[0], *(b.replace(b'"', b"'") for b in bad), good[1], good[2]]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "m.csv"
        f.write_bytes(b"\n".join(rows) + b"\n")
        got, errors = _read(f)
    if not any(isinstance(e, ReadError) and "binary" in str(e) for e in errors):
        assert {"r0", "r1", "r2"} <= got, errors


@_MIXED
@given(bad=st.lists(_BAD_BYTES, min_size=1, max_size=3), compress=st.booleans(), tail=_BAD_BYTES)
def test_warc_good_records_survive_beside_fuzzed_ones(bad: list[bytes], compress: bool, tail: bytes) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    pages = [f"<html><body><article><p>{_GOOD_TEXT}</p></article></body></html>".encode()]
    for i, payload in enumerate([pages[0], *bad, pages[0]]):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
        writer.write_record(
            writer.create_warc_record(
                f"http://x/{i}", "response", payload=io.BytesIO(payload), http_headers=headers
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / ("m.warc.gz" if compress else "m.warc")
        f.write_bytes(buf.getvalue() + tail)
        got, errors = _read(f)
    assert {"http://x/0", f"http://x/{len(bad) + 1}"} <= got, errors


@settings(max_examples=40, deadline=None, derandomize=True)
@given(a=_TEXTISH, b=_TEXTISH)
def test_compare_of_any_two_texts_gives_a_result_or_our_error(a: str, b: str) -> None:
    from samestory.comparison import compare

    with contextlib.suppress(SamestoryError):
        result = compare(from_text(a + " " + _GOOD_TEXT), from_text(b))
        assert 0.0 <= result.score <= 1.0
