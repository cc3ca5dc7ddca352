"""Readers fed random bytes and text only ever report the project's own error types."""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samestory.article import Article
from samestory.errors import InputError, SamestoryError
from samestory.ingest import ReadOptions, from_text, load, read_paths

SUFFIXES = [".txt", ".html", ".jsonl", ".json", ".csv", ".warc", ".warc.gz", ".dat"]
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

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


@settings(max_examples=150, deadline=None)
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
