"""The viewer's routes and JSON APIs over a real store (FastAPI's TestClient, no browser)."""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

import pytest

from samestory.report import load_schema
from samestory.store import Store

from .conftest import EXAMPLE_A, EXAMPLE_B, PAYLOADS, SLASHED, WebStore

pytest.importorskip("fastapi", reason="the web viewer needs the 'web' extra (fastapi)")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

A = EXAMPLE_A.stem
B = EXAMPLE_B.stem


def _json(client: Any, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, (url, r.text[:300])
    return r.json()


def _stories(client: Any, **params: object) -> list[dict[str, Any]]:
    got = _json(client, "/api/stories?" + "&".join(f"{k}={v}" for k, v in params.items()))
    return list(got["stories"])


def test_story_list_is_every_story_largest_first(client: Any, web_store: WebStore) -> None:
    with Store(web_store.path, read_only=True) as s:
        expected = s.story_ids()
    got = _json(client, f"/api/stories?limit={len(expected)}")
    assert got["total"] == len(expected)
    assert [(r["story_id"], r["size"]) for r in got["stories"]] == expected[:200]
    for r in got["stories"]:
        assert set(r) >= {"story_id", "title", "size", "earliest", "langs", "sources"}
    page = client.get("/")
    assert page.status_code == 200
    assert f"/story/{expected[0][0]}" in page.text


def test_search_narrows_the_list_to_stories_with_the_words(client: Any) -> None:
    everything = _json(client, "/api/stories")["total"]
    found = _stories(client, q="Gerasimov")
    assert 0 < len(found) < everything
    assert {A, B} & {m for s in found for m in (s["story_id"],)} or any("Russia" in s["title"] for s in found)
    # every story found has an article whose text has the word
    for s in found:
        story = _json(client, f"/api/story/{s['story_id']}")
        texts = [_json(client, f"/api/article/{m['id']}")["text"] for m in story["members"]]
        assert any("gerasimov" in t.lower() for t in texts)
    assert _stories(client, q="zzzqqqnotaword") == []
    # FTS syntax in the query is taken as words, not operators
    assert _json(client, "/api/stories?q=" + "%22%20OR%20*%20NEAR(")["total"] >= 0


def test_filters_sort_and_pages(client: Any, web_store: WebStore) -> None:
    if not web_store.data:
        pytest.skip("shared data not found: the store has too few dated stories to filter")
    all_rows = _stories(client, limit=200)
    big = _stories(client, min_size=2, limit=200)
    assert big and all(r["size"] >= 2 for r in big) and len(big) < len(all_rows)
    langs = {lang for r in all_rows for lang in r["langs"]}
    for lang in langs:
        assert all(lang in r["langs"] for r in _stories(client, lang=lang, limit=200))
    feb = _stories(client, since="2021-02-01", until="2021-02-28", limit=200)
    assert feb and all("2021-02" <= (r["earliest_published"] or "")[:7] <= "2021-02" for r in feb)
    dated = _stories(client, sort="earliest", limit=200)
    stamps = [r["earliest_published"] for r in dated if r["earliest_published"]]
    assert stamps == sorted(stamps)
    first = _stories(client, limit=3, offset=0)
    second = _stories(client, limit=3, offset=3)
    assert [r["story_id"] for r in first + second] == [r["story_id"] for r in all_rows[:6]]


def test_story_page_and_api_show_members_timeline_and_claims(client: Any, web_store: WebStore) -> None:
    with Store(web_store.path, read_only=True) as s:
        story_id, size = s.story_ids()[0]
        members = [m.article_id for m in s.members(story_id)]
    api = _json(client, f"/api/story/{story_id}")
    assert api["story_id"] == story_id and [m["id"] for m in api["members"]] == members
    assert {v["id"] for v in api["claims"]["versions"]} == set(members)
    page = client.get(f"/story/{story_id}")
    assert page.status_code == 200
    body = page.text
    assert body.count('<tr id="m-') == size
    assert body.count("<circle ") == size
    assert 'id="claims"' in body and "<svg" in body
    # an article id opens its story
    assert client.get(f"/story/{members[-1]}").text.count('<tr id="m-') == size
    assert _json(client, f"/api/story/{members[-1]}")["story_id"] == story_id


def test_article_page_shows_the_stored_text_with_debris_marked(client: Any) -> None:
    api = _json(client, f"/api/article/{A}")
    assert api["full_text"] is True
    assert api["debris"], "the MT example has page debris"
    page = client.get(f"/article/{A}")
    assert page.status_code == 200
    assert 'class="s debris"' in page.text
    assert html.escape(
        api["text"][api["debris"][0]["start"] : api["debris"][0]["end"]].split("\n")[0][:30]
    ) in (page.text)
    assert f'href="/story/{api["story_id"]}"' in page.text


def test_compare_api_is_the_compare_json_schema_and_page_embeds_the_report(client: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    got = _json(client, f"/api/compare?a={A}&b={B}")
    jsonschema.validate(got, load_schema())
    assert got["a"]["id"] == A and got["b"]["id"] == B
    page = client.get(f"/compare?a={A}&b={B}")
    assert page.status_code == 200
    assert page.text.count('class="ss-compare"') == 1
    assert 'src="/static/compare.js"' in page.text
    assert page.text.count("data-g=") >= 2 * len(got["alignment"])


@pytest.mark.parametrize(
    "url",
    [
        "/story/no-such-story",
        "/story/..%2F..",
        "/story/..%2F..%2Fetc%2Fpasswd",
        "/article/%00",
        "/article/..%2Fviewer.db",
        "/article/no-such",
        "/api/story/no-such",
        "/api/article/%00",
        "/static/..%2F..%2Fapp.py",
        "/static/../app.py",
        "/nowhere",
    ],
)
def test_unknown_ids_and_path_tricks_are_404(client: Any, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert "Traceback" not in r.text


def test_ids_with_slashes_are_reachable(client: Any) -> None:
    assert client.get(f"/article/{SLASHED}").status_code == 200
    assert _json(client, f"/api/article/{SLASHED.replace('/', '%2F')}")["id"] == SLASHED
    assert _json(client, f"/api/story/{SLASHED}")["members"][0]["id"] == SLASHED
    assert f'href="/article/{SLASHED.replace("/", "%2F")}"' in client.get(f"/story/{SLASHED}").text


def test_compare_of_unknown_ids_is_404_and_missing_ids_refused(client: Any) -> None:
    assert client.get(f"/compare?a={A}&b=nope").status_code == 404
    assert client.get(f"/api/compare?a=%00&b={B}").status_code == 404
    assert client.get("/api/compare?a=" + A).status_code == 422


def test_oversized_queries_are_refused_and_limits_clamped(client: Any) -> None:
    r = client.get("/api/stories?q=" + "x" * 5000)
    assert r.status_code == 422 and len(r.text) < 1000
    assert client.get("/?q=" + "y" * 5000).status_code == 422
    got = _json(client, "/api/stories?limit=1000000000&offset=-5")
    assert got["limit"] == got["max_limit"] and got["offset"] == 0
    assert _json(client, "/api/stories?limit=0")["limit"] == 1
    assert client.get("/api/stories?limit=notanumber").status_code == 422
    assert client.get("/api/stories?since=yesterday").status_code == 400
    assert client.get(f"/story/{'a' * 20_000}").status_code == 404


def test_no_write_path(client: Any, web_store: WebStore) -> None:
    before = hashlib.sha256(Path(web_store.path).read_bytes()).hexdigest()
    for url in ("/", "/api/stories", f"/story/{A}", f"/article/{A}"):
        for method in ("post", "put", "delete", "patch"):
            assert getattr(client, method)(url).status_code == 405
    client.get("/?q=strike")
    assert hashlib.sha256(Path(web_store.path).read_bytes()).hexdigest() == before


def test_pages_carry_a_script_policy(client: Any) -> None:
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def _pages_of_hostile(client: Any, web_store: WebStore) -> list[str]:
    first = web_store.hostile[0]
    urls = [
        "/",
        "/?q=Harbour",
        f"/story/{first}",
        f"/compare?a={web_store.hostile[0]}&b={web_store.hostile[1]}",
    ]
    urls += [f"/article/{i}" for i in web_store.hostile]
    pages = []
    for u in urls:
        r = client.get(u)
        assert r.status_code == 200, u
        pages.append(r.text)
    return pages


def test_hostile_fields_are_escaped_everywhere(client: Any, web_store: WebStore) -> None:
    pages = _pages_of_hostile(client, web_store)
    joined = "\n".join(pages)
    assert "alert('xss-script')</script>" not in joined
    assert "<img src=x" not in joined
    assert 'href="javascript:' not in joined and "href='javascript:" not in joined
    assert "&lt;script&gt;alert(" in joined  # shown as text
    assert "{{ 7*7 }}" in joined  # template syntax shows as written
    assert "looploop" not in joined  # template syntax is not run
    assert "\u202e" not in joined and "\\u202e" in joined  # bidi controls shown, not applied
    # the JSON is the data as stored (a client's job to escape), with the payloads intact
    api = _json(client, f"/api/article/{web_store.hostile[0]}")
    assert PAYLOADS[0] in api["text"]
    assert json.dumps(PAYLOADS[0])[1:-1] in client.get(f"/api/article/{web_store.hostile[0]}").text
