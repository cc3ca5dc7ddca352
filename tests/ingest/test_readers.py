"""Readers per format, encodings, and every bad-input case yielding a clear error naming the file (and line)."""

from __future__ import annotations

import gzip
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from samestory.article import Article
from samestory.errors import EmptyArticleError, InputError, ReadError, RecordError
from samestory.ingest import ReadOptions, load, read_paths

RU = "МОСКВА, 23 декабря. Начальник Генерального штаба заявил, что армия готова сотрудничать с французскими коллегами."
FR = "Le général français a déclaré que la coopération entre les deux armées était nécessaire. Il a été très clair."
EN_BODY = (
    "The Russian military is prepared to join forces with their French colleagues in the fight against terrorism.\n\n"
    "The chief of the General Staff said so at a meeting with his French counterpart in Moscow on Wednesday."
)


def _articles(results: list[Article | InputError]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def _errors(results: list[Article | InputError]) -> list[InputError]:
    return [r for r in results if isinstance(r, InputError)]


# --- formats ---------------------------------------------------------------------------------------------


def test_txt_first_line_is_title_and_agency_number_leaves_it(tmp_path: Path) -> None:
    f = tmp_path / "story.txt"
    f.write_text("\n\nAllies against terrorism REUTERS 20151223\n\n" + EN_BODY, encoding="utf-8")
    a = load(f)
    assert a.title == "Allies against terrorism"
    # the title line stays in the text, marked as debris: the headline as a title line, the number as feed
    assert [(a.text[d.start : d.end].strip(), d.kind) for d in a.debris[:2]] == [
        ("Allies against terrorism", "repeated_title"),
        ("REUTERS 20151223", "feed"),
    ]
    assert a.content.startswith("The Russian military")
    assert a.id == "story" and a.source == str(f) and a.lang == "en"


def test_txt_without_a_headline_line_keeps_everything_as_body(tmp_path: Path) -> None:
    f = tmp_path / "one.txt"
    f.write_text(EN_BODY.replace("\n\n", " ") * 3, encoding="utf-8")
    a = load(f)
    assert a.title == ""
    assert a.text.startswith("The Russian military")


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8", "utf-16"])
def test_russian_text_in_any_supported_encoding(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "ru.txt"
    f.write_bytes(("Армия готова к сотрудничеству\n" + RU + "\n" + RU.replace("23", "24")).encode(encoding))
    a = load(f)
    assert a.title == "Армия готова к сотрудничеству"
    assert "Начальник Генерального штаба" in a.text
    assert a.lang == "ru"
    assert a.dateline is not None and a.dateline.place == "МОСКВА" and a.dateline.date == "23 декабря"


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    f = tmp_path / "fr.txt"
    f.write_bytes(("Coopération militaire\n" + FR + " " + FR).encode("latin-1"))
    a = load(f)
    assert a.title == "Coopération militaire"
    assert "déclaré" in a.text and a.lang == "fr"


def test_mojibake_is_repaired(tmp_path: Path) -> None:
    f = tmp_path / "moji.txt"
    garbled = FR.encode("utf-8").decode("cp1252")
    f.write_text("Titre\n" + garbled, encoding="utf-8")
    assert load(f).text == "Titre\n" + FR


def test_html_title_date_author_and_main_text(tmp_path: Path) -> None:
    paras = "".join(f"<p>{p}</p>" for p in EN_BODY.split("\n\n"))
    html = (
        "<html><head><title>Allies against terrorism</title><meta name='author' content='Jane Doe'>"
        "<meta property='article:published_time' content='2015-12-23T10:00:00'></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>Allies against terrorism</h1>{paras}</article><footer>Contact us</footer></body></html>"
    )
    f = tmp_path / "page.html"
    f.write_text(html, encoding="utf-8")
    a = load(f)
    assert a.title == "Allies against terrorism"
    assert a.published is not None and (a.published.year, a.published.month, a.published.day) == (
        2015,
        12,
        23,
    )
    assert a.meta["author"] == "Jane Doe"
    assert "join forces" in a.text and "Contact us" not in a.content
    assert all(not s.text.startswith("Allies") or s.debris for s in a.sentences), (
        "repeated headline is debris"
    )


def test_jsonl_field_mapping_and_extra_fields_in_meta(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    rows = [
        {"doc": "a1", "headline": "One", "body": EN_BODY, "when": "2020-01-02T03:04:05Z", "outlet": "X"},
        {"doc": "a2", "headline": "Two", "body": FR, "when": "yesterday", "outlet": "Y"},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    opts = ReadOptions(text_field="body", title_field="headline", id_field="doc", date_field="when")
    got = list(read_paths([f], opts))
    assert [a.id for a in _articles(got)] == ["a1", "a2"]
    first, second = _articles(got)
    assert first.title == "One" and first.published is not None and first.published.year == 2020
    assert first.meta["outlet"] == "X" and first.meta["line"] == 1
    assert second.published is None and second.lang == "fr"


def test_jsonl_common_field_names_are_found_without_options(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": 7, "title": "T", "text": EN_BODY}) + "\n", encoding="utf-8")
    (a,) = _articles(list(read_paths([f])))
    assert (a.id, a.title) == ("7", "T")


def test_json_array_and_wrapped_list_and_single_object(tmp_path: Path) -> None:
    arr = tmp_path / "arr.json"
    arr.write_text(json.dumps([{"id": "x", "text": EN_BODY}, 5, {"id": "y", "text": FR}]), encoding="utf-8")
    got = list(read_paths([arr]))
    assert [a.id for a in _articles(got)] == ["x", "y"]
    (err,) = _errors(got)
    assert isinstance(err, RecordError) and err.line == 2
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"body": EN_BODY}]}), encoding="utf-8")
    assert [a.id for a in _articles(list(read_paths([wrapped])))] == ["wrapped:1"]
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"title": "T", "text": FR}), encoding="utf-8")
    assert load(single).title == "T"
    broken = tmp_path / "broken.json"
    broken.write_text('{"text": ', encoding="utf-8")
    assert "malformed JSON" in str(_one_error(broken))


def test_csv_rows_with_field_mapping(tmp_path: Path) -> None:
    f = tmp_path / "pairs.csv"
    f.write_text(
        'pair_id,text1,text2\np1,"' + EN_BODY.replace('"', '""') + '",x\np2,"' + FR + '",y\n',
        encoding="utf-8",
    )
    got = list(read_paths([f], ReadOptions(text_field="text1", id_field="pair_id")))
    assert [a.id for a in _articles(got)] == ["p1", "p2"]
    assert _articles(got)[0].meta["text2"] == "x"


def test_parquet_rows_read_as_the_same_records_in_jsonl(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet input needs the 'parquet' extra")
    import pyarrow.parquet as pq

    rows = [
        {"id": "a1", "title": "One", "text": EN_BODY, "published": datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)},
        {"id": "a2", "title": None, "text": "", "published": None},  # no text: an error naming its row
        {"id": None, "title": "Three", "text": RU, "published": None},
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "feed.parquet", row_group_size=2)
    got = list(read_paths([tmp_path / "feed.parquet"]))
    (err,) = _errors(got)
    assert isinstance(err, RecordError) and err.line == 2 and "feed.parquet" in str(err)
    as_jsonl = tmp_path / "feed.jsonl"
    plain = [{**r, "published": r["published"] and r["published"].isoformat()} for r in rows]
    as_jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in plain) + "\n", encoding="utf-8")
    from_jsonl = _articles(list(read_paths([as_jsonl])))
    from_parquet = _articles(got)
    assert [a.id for a in from_parquet] == ["a1", "feed:3"]
    assert [(a.id, a.title, a.text, a.published, a.lang) for a in from_parquet] == [
        (a.id, a.title, a.text, a.published, a.lang) for a in from_jsonl
    ]
    assert from_parquet[0].published == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_parquet_file_that_is_not_one_or_has_no_text_column(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet input needs the 'parquet' extra")
    import pyarrow.parquet as pq

    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"PAR1 not really")
    assert "not a readable Parquet file" in str(_one_error(fake))
    untexted = tmp_path / "ids.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "x", "headline": "H"}]), untexted)
    err = _one_error(untexted)
    assert isinstance(err, ReadError) and "no text column" in str(err) and "headline" in str(err)


def _warc_bytes(pages: list[tuple[str, bytes, str]], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for uri, payload, ctype in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.0")
        writer.write_record(
            writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
        )
    return buf.getvalue()


@pytest.mark.parametrize("suffix", [".warc", ".warc.gz"])
def test_warc_html_response_records(tmp_path: Path, suffix: str) -> None:
    page = f"<html><head><title>Allies</title></head><body><article><p>{EN_BODY}</p></article></body></html>"
    data = _warc_bytes(
        [
            ("https://example.org/a", page.encode(), "text/html; charset=utf-8"),
            ("https://example.org/logo.png", b"\x89PNG....", "image/png"),
        ],
        gz=suffix.endswith(".gz"),
    )
    f = tmp_path / f"crawl{suffix}"
    f.write_bytes(data)
    (a,) = _articles(list(read_paths([f])))
    assert a.url == "https://example.org/a" and a.title == "Allies" and "join forces" in a.text


def test_directories_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/z.txt", "a/y/1.txt", ".hidden/x.txt", "a/skip.png"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("Title\n" + EN_BODY, encoding="utf-8")
    ids = [a.id for a in _articles(list(read_paths([tmp_path])))]
    assert ids == ["a/y/1", "a/z", "b/2"]


def test_a_directory_without_readable_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    err = _one_error(tmp_path)
    assert isinstance(err, ReadError) and "no files to read" in str(err)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(("Title from stdin\n" + EN_BODY).encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    (a,) = _articles(list(read_paths(["-"])))
    assert a.title == "Title from stdin" and a.source == "<stdin>"


# --- bad input -------------------------------------------------------------------------------------------


def _one_error(path: Path | str, options: ReadOptions | None = None) -> InputError:
    got = list(read_paths([path], options))
    errors = _errors(got)
    assert len(errors) == 1, got
    assert str(path) in str(errors[0]) or "<stdin>" in str(errors[0])
    return errors[0]


def test_missing_file(tmp_path: Path) -> None:
    err = _one_error(tmp_path / "nope.txt")
    assert isinstance(err, ReadError) and "does not exist" in str(err)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "locked.txt"
    f.write_text("Title\n" + EN_BODY, encoding="utf-8")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == f:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    err = _one_error(f)
    assert isinstance(err, ReadError) and "permission" in str(err)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  "])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    err = _one_error(f)
    assert isinstance(err, ReadError) and "empty" in str(err)


@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
def test_binary_file(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"image{suffix}"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    err = _one_error(f)
    assert isinstance(err, ReadError) and "binary" in str(err)


def test_oversized_file_names_the_limit_and_option(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("Title\n" + EN_BODY * 10, encoding="utf-8")
    err = _one_error(f, ReadOptions(max_bytes=200))
    assert isinstance(err, ReadError) and "limit" in str(err) and "--max-bytes" in str(err)
    assert _articles(list(read_paths([f], ReadOptions(max_bytes=100_000))))


def test_malformed_jsonl_line_names_file_and_line_and_the_rest_still_loads(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"text": EN_BODY}),
        '{"text": "unterminated',
        "[1, 2]",
        json.dumps({"body": ""}),
        json.dumps({"text": FR}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = list(read_paths([f]))
    errors = _errors(got)
    assert [type(e) for e in errors] == [RecordError, RecordError, RecordError]
    assert [e.line for e in errors if isinstance(e, RecordError)] == [2, 3, 4]
    assert str(errors[0]).startswith(f"{f}:2:")
    assert len(_articles(got)) == 2


def test_jsonl_with_a_named_field_missing(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"text": EN_BODY}) + "\n", encoding="utf-8")
    err = _one_error(f, ReadOptions(text_field="body"))
    assert isinstance(err, RecordError) and "--text-field" in str(err)


def test_malformed_csv_row_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "rows.csv"
    f.write_text(f'id,text\n1,"{EN_BODY}"\n2,too,many,fields\n3,"{FR}"\n', encoding="utf-8")
    got = list(read_paths([f]))
    (err,) = _errors(got)
    assert isinstance(err, RecordError) and err.line == 5 and "fields" in str(err)
    assert [a.id for a in _articles(got)] == ["1", "3"]


def test_csv_without_a_text_column(tmp_path: Path) -> None:
    f = tmp_path / "rows.csv"
    f.write_text("id,other\n1,x\n", encoding="utf-8")
    err = _one_error(f)
    assert isinstance(err, ReadError) and "--text-field" in str(err)


def test_a_bad_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Title\n" + EN_BODY, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    got = list(read_paths([empty, tmp_path / "missing.txt", good]))
    assert [type(r) for r in got] == [ReadError, ReadError, Article]


def test_load_raises_for_a_bad_file_and_for_many_articles(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        load(tmp_path / "missing.txt")
    f = tmp_path / "two.jsonl"
    f.write_text(json.dumps({"text": EN_BODY}) + "\n" + json.dumps({"text": FR}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected one article"):
        load(f)


def test_damaged_warc_is_a_record_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.warc.gz"
    f.write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort"))
    got = list(read_paths([f]))
    assert got and all(isinstance(r, InputError) for r in got)
    assert str(f) in str(got[0])


def test_html_without_main_text(tmp_path: Path) -> None:
    f = tmp_path / "nav.html"
    f.write_text(
        "<html><head><title></title></head><body><script>var x = 1;</script></body></html>", encoding="utf-8"
    )
    err = _one_error(f)
    assert isinstance(err, (ReadError, EmptyArticleError))
