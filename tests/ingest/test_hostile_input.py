"""Hostile and careless input: one bad record costs that record (named by file and line), never its file,
the other files, a hang or a traceback."""

from __future__ import annotations

import gzip
import io
import json
import os
import threading
from pathlib import Path

import pytest

from samestory.article import Article
from samestory.errors import InputError, ReadError, RecordError
from samestory.ingest import ReadOptions, from_text, read_paths

BODY = "Ferry crews went on strike in the northern port on Monday. Talks resume on Friday, the union said."


def _split(results: list[Article | InputError]) -> tuple[list[Article], list[InputError]]:
    return [r for r in results if isinstance(r, Article)], [r for r in results if isinstance(r, InputError)]


def _jsonl_line(**fields: str) -> bytes:
    # json.dumps writes a lone surrogate as the escape "\udfff", exactly as a hostile file would hold it
    return (json.dumps(fields) + "\n").encode("ascii")


# --- bug 2: lone surrogates ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["id", "title", "text"])
def test_a_lone_surrogate_in_any_field_keeps_the_file_and_the_other_files(tmp_path: Path, field: str) -> None:
    bad = {"id": "s2", "title": "T", "text": BODY}
    bad[field] = bad[field] + " \udfff"
    f = tmp_path / "s.jsonl"
    f.write_bytes(_jsonl_line(id="s1", text=BODY) + _jsonl_line(**bad) + _jsonl_line(id="s3", text=BODY))
    other = tmp_path / "b.txt"
    other.write_text("Title\n" + BODY, encoding="utf-8")
    articles, errors = _split(list(read_paths([f, other])))
    assert not errors
    assert next(a.id for a in articles) == "s1" and [a.id for a in articles][-2:] == ["s3", "b"]
    for a in articles:  # everything can be encoded, stored and printed
        for value in (a.id, a.title, a.text, *(s.text for s in a.sentences)):
            value.encode("utf-8")
    assert "\ufffd" in getattr(articles[1], field)


def test_from_text_and_article_replace_lone_surrogates() -> None:
    a = from_text("Body \udfff text. More.", title="T \ud800", id="x\udfff")
    assert (a.id, a.title) == ("x\ufffd", "T \ufffd") and "\ufffd" in a.text
    assert all(a.text[s.start : s.end] == s.text for s in a.sentences)
    direct = Article(id="y\udc00", text="plain \udfff", meta={"k": ["\udfff"]})
    assert direct.id == "y\ufffd" and direct.text == "plain \ufffd" and direct.meta["k"] == ["\ufffd"]


# --- bug 3: one bad line, one file -----------------------------------------------------------------------


def test_stray_bytes_in_one_jsonl_line_name_that_line_and_keep_the_rest(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    bad = b'{"id": "b", "text": "Bad \xff\xfe bytes in this one. Yes."}\n'
    f.write_bytes(_jsonl_line(id="a", text=BODY) + bad + _jsonl_line(id="c", text=BODY))
    articles, errors = _split(list(read_paths([f])))
    assert [a.id for a in articles] == ["a", "c"]
    (err,) = errors
    assert isinstance(err, RecordError) and err.line == 2 and "UTF-8" in str(err) and str(f) in str(err)


def test_a_nul_in_one_jsonl_line_or_csv_row_costs_at_most_that_record(tmp_path: Path) -> None:
    j = tmp_path / "n.jsonl"
    j.write_bytes(
        _jsonl_line(id="a", text=BODY) + b'{"id": "b", "text": "x\x00y"}\n' + _jsonl_line(id="c", text=BODY)
    )
    articles, errors = _split(list(read_paths([j])))
    assert [a.id for a in articles] == ["a", "c"] and [getattr(e, "line", 0) for e in errors] == [2]
    c = tmp_path / "n.csv"
    c.write_bytes(f'id,text\nr1,"{BODY}"\nr2,"Bad\x00row. {BODY}"\nr3,"{BODY}"\n'.encode())
    articles, errors = _split(list(read_paths([c])))
    assert [a.id for a in articles] == ["r1", "r2", "r3"] and not errors


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_jsonl_with_a_utf16_or_utf32_bom_is_read(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "w.jsonl"
    lines = json.dumps({"id": "u1", "text": "Привет, мир. " + BODY}, ensure_ascii=False) + "\n"
    f.write_bytes((lines + json.dumps({"id": "u2", "text": BODY}) + "\n").encode(encoding))
    articles, errors = _split(list(read_paths([f])))
    assert not errors and [a.id for a in articles] == ["u1", "u2"] and "Привет" in articles[0].text


def test_a_binary_file_named_jsonl_is_still_one_error(tmp_path: Path) -> None:
    f = tmp_path / "img.jsonl"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    _, errors = _split(list(read_paths([f])))
    assert len(errors) == 1 and "binary" in str(errors[0])


# --- bug 4: special files ---------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    got: list[Article | InputError] = []
    reader = threading.Thread(target=lambda: got.extend(read_paths([fifo])), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader so that the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    (err,) = got
    assert isinstance(err, ReadError) and "FIFO" in str(err) and str(fifo) in str(err)


def test_a_device_is_refused() -> None:
    (err,) = list(read_paths(["/dev/zero"]))
    assert isinstance(err, ReadError) and "device" in str(err)


# --- bug 5: silent loss -----------------------------------------------------------------------------------


def _warc(n: int, *, compress: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    for i in range(n):
        html = (
            f"<html><head><title>T{i}</title></head><body><article><p>{BODY * 4}</p></article></body></html>"
        )
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
        record = writer.create_warc_record(
            f"http://x/{i}", "response", payload=io.BytesIO(html.encode()), http_headers=headers
        )
        writer.write_record(record)
    return buf.getvalue()


@pytest.mark.parametrize("compress", [True, False])
def test_a_truncated_warc_names_the_file_and_offset_and_keeps_the_complete_records(
    tmp_path: Path, compress: bool
) -> None:
    data = _warc(3, compress=compress)
    f = tmp_path / ("t.warc.gz" if compress else "t.warc")
    f.write_bytes(data[: len(data) - 200])
    articles, errors = _split(list(read_paths([f])))
    assert [a.url for a in articles] == ["http://x/0", "http://x/1"]
    (err,) = errors
    assert "truncated" in str(err) and "offset" in str(err) and str(f) in str(err)
    whole = tmp_path / ("w.warc.gz" if compress else "w.warc")
    whole.write_bytes(data)
    assert _split(list(read_paths([whole]))) == (_split(list(read_paths([whole])))[0], [])


def test_a_gzip_warc_cut_inside_its_first_member_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "t.warc.gz"
    f.write_bytes(gzip.compress(b"WARC/1.0\r\n" + b"x" * 5000)[:40])
    _, errors = _split(list(read_paths([f])))
    assert errors


def test_empty_and_header_only_inputs_are_errors(tmp_path: Path) -> None:
    header = tmp_path / "h.csv"
    header.write_text("id,text\n", encoding="utf-8")
    empty = tmp_path / "e.warc"
    empty.write_bytes(b"")
    info_only = tmp_path / "i.warc"
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    writer.write_record(writer.create_warcinfo_record("i.warc", {"software": "test"}))
    info_only.write_bytes(buf.getvalue())
    for f, word in (
        (header, "header row but no records"),
        (empty, "no WARC records"),
        (info_only, "no HTML"),
    ):
        (err,) = list(read_paths([f]))
        assert isinstance(err, ReadError) and word in str(err) and str(f) in str(err)


def test_symlink_loops_and_dangling_links_in_a_folder_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\n" + BODY, encoding="utf-8")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    articles, errors = _split(list(read_paths([tmp_path])))
    assert [a.id for a in articles] == ["a"]
    messages = sorted(str(e) for e in errors)
    assert len(messages) == 2 and "missing" in messages[0] and "loop" in messages[1]


def test_max_bytes_is_bounded() -> None:
    with pytest.raises(InputError, match="max-bytes"):
        ReadOptions(max_bytes=1 << 70)
    with pytest.raises(InputError, match="max-bytes"):
        ReadOptions(max_bytes=0)


def test_index_add_from_python_takes_articles_with_lone_surrogates(tmp_path: Path) -> None:
    from samestory.index import Index

    with Index(tmp_path / "x.db") as ix:
        ix.add([Article(id="a\udfff", text=BODY, title="T \ud800"), from_text(BODY + " \udfff", id="b")])
        assert {m.article_id for m in ix.iter_memberships()} == {"a\ufffd", "b"}
