"""The viewer in a real browser: Playwright driving Debian's chromium against uvicorn on a free port.

Skipped (with the reason) when /usr/bin/chromium or the playwright package is absent. Screenshots go to the
test's temporary folder (``SAMESTORY_SCREENSHOTS`` names another) and are checked not to be blank.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLE_A, EXAMPLE_B, WebStore

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytest.importorskip("uvicorn", reason="the web viewer needs the 'web' extra (uvicorn)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_store: WebStore) -> Iterator[str]:
    import uvicorn

    from samestory.web import create_app

    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(
            create_app(web_store.path, encoder="lexical"), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("SAMESTORY_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _luminance_spread(browser: Any, png: bytes) -> float:
    """Standard deviation of the screenshot's luminance (0 for a blank image), decoded by the browser."""
    pg = browser.new_page()
    try:
        return float(
            pg.evaluate(
                """async (src) => {
                    const img = new Image(); img.src = src; await img.decode();
                    const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
                    const g = c.getContext("2d"); g.drawImage(img, 0, 0);
                    const d = g.getImageData(0, 0, c.width, c.height).data;
                    let n = 0, s = 0, s2 = 0;
                    for (let i = 0; i < d.length; i += 16) {
                        const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]; n++; s += y; s2 += y * y;
                    }
                    return Math.sqrt(s2 / n - (s / n) * (s / n));
                }""",
                "data:image/png;base64," + base64.b64encode(png).decode(),
            )
        )
    finally:
        pg.close()


def _shot(browser: Any, page: Any, shots: Path, name: str) -> None:
    png = page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
    assert _luminance_spread(browser, png) > 2.0, f"the {name} screenshot is blank"


def test_list_loads_and_search_narrows(page: Any, server: str, browser: Any, shots: Path) -> None:
    page.goto(server + "/")
    rows = page.locator("#stories tbody tr")
    everything = rows.count()
    assert everything >= 3
    _shot(browser, page, shots, "stories")
    page.fill("header input[name=q]", "Gerasimov")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/?q=Gerasimov*")
    narrowed = page.locator("#stories tbody tr")
    assert 0 < narrowed.count() < everything
    assert "Russia" in narrowed.first.inner_text()
    _shot(browser, page, shots, "search")
    assert page.dialogs == []


def test_story_page_shows_members_timeline_and_claims(
    page: Any, server: str, browser: Any, shots: Path, web_store: WebStore
) -> None:
    page.goto(server + "/")
    first = page.locator("#stories tbody tr").first
    size = int(first.locator("td.r").inner_text())
    assert size >= 2, "the largest story has several versions"
    first.locator("a").first.click()
    page.wait_for_url("**/story/**")
    assert page.locator("#member-table tbody tr").count() == size
    assert page.locator("svg.timeline circle").count() == size
    assert page.locator("svg.timeline circle.earliest").count() == 1
    assert page.locator("svg.timeline text.earliestlabel").text_content() == "earliest"
    assert page.locator("#claims table.claims tr.claim").count() > 0
    _shot(browser, page, shots, "story")
    # hovering a claim's variant marks the versions that state it
    variant = page.locator("#claims .variant").first
    carriers = variant.get_attribute("data-versions").split()
    variant.hover()
    marked = page.locator("#member-table tr.hl")
    assert sorted(marked.evaluate_all("rs => rs.map(r => r.dataset.member)")) == sorted(carriers)
    page.locator("#claims").scroll_into_view_if_needed()
    _shot(browser, page, shots, "claims")
    assert page.dialogs == []


def test_compare_page_highlights_aligned_passages_together(
    page: Any, server: str, browser: Any, shots: Path
) -> None:
    page.goto(f"{server}/compare?a={EXAMPLE_A.stem}&b={EXAMPLE_B.stem}")
    spans = page.locator("#col-a .s[data-g]")
    assert spans.count() > 0
    target = spans.nth(min(2, spans.count() - 1))
    group = target.get_attribute("data-g")
    partners = page.locator(f'#col-b .s[data-g="{group}"]')
    assert partners.count() >= 1
    assert page.locator(".s.hl").count() == 0
    target.hover()
    lit = page.locator(".s.hl")
    assert (
        lit.count()
        == spans.filter(has=page.locator("xpath=self::*"))
        .locator(f'xpath=self::*[@data-g="{group}"]')
        .count()
        + partners.count()
    )
    assert all(g == group for g in lit.evaluate_all("els => els.map(e => e.dataset.g)"))
    _shot(browser, page, shots, "compare")
    # a click brings the partner passage into view
    partners.first.evaluate("el => window.scrollTo(0, 0)")
    target.click()
    page.wait_for_function(
        "(g) => { const r = document.querySelector('#col-b .s[data-g=\"' + g + '\"]').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        arg=group,
        timeout=5000,
    )
    assert page.dialogs == []


def test_hostile_text_shows_literally_and_no_dialog_fires(
    page: Any, server: str, browser: Any, shots: Path, web_store: WebStore
) -> None:
    urls = ["/?q=Harbour", f"/story/{web_store.hostile[0]}"]
    urls += [f"/article/{i}" for i in web_store.hostile]
    urls.append(f"/compare?a={web_store.hostile[0]}&b={web_store.hostile[2]}")
    for u in urls:
        page.goto(server + u)
        page.wait_for_load_state("load")
        # fire the events an injected handler would listen to, on every element
        page.evaluate(
            "() => document.querySelectorAll('*').forEach(e => ['mouseover', 'mouseenter', 'focus', 'error', 'load']"
            ".forEach(t => e.dispatchEvent(new Event(t))))"
        )
        page.locator("h1").first.hover()
    assert page.dialogs == []
    page.goto(server + f"/article/{web_store.hostile[0]}")
    assert "<script>alert('xss-script')</script>" in page.locator("article.text").inner_text()
    page.goto(server + f"/article/{web_store.hostile[3]}")
    assert "{{ 7*7 }}" in page.locator("h1").inner_text()
    assert page.evaluate("document.querySelectorAll('main img, main script, article a').length") == 0
    _shot(browser, page, shots, "hostile")
