"""A small real store for the viewer's tests, built with `samestory index add` (the real command): the example
pair, a hostile corpus (markup, template syntax, bidi controls in every field), and a few WMT and ECB+
articles when the shared data is there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.eval.data import data_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_A = EXAMPLES / "000_c15b2c954df542e4.txt"
EXAMPLE_B = EXAMPLES / "001_3b3a645dc43cac4c.txt"

BODY = (
    "Ferry crews walked off the job in the northern port on Monday, stranding hundreds of travellers. "
    "The union said 130 members joined the strike after talks with the operator broke down. "
    '"We will not sail until the safety rota is restored," the union\'s regional secretary Anna Kovacs said. '
    "The operator said it hoped to resume sailings on Wednesday."
)
SLASHED = "wire/ap/0042"  # an id with slashes (feeds name articles so)
#: payloads that must show as text, never act
PAYLOADS = (
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert('xss-img')>",
    "<a href=\"javascript:alert('xss-js')\">link</a>",
    "{{ 7*7 }}{% for x in range(3) %}loop{% endfor %}",
    "\u202eevil\u202c \u2066isolate\u2069",
)


def hostile_articles() -> list[dict[str, str]]:
    """Two versions of one story with a payload in every field, and one singleton per payload."""
    out = []
    for n, p in enumerate(PAYLOADS):
        out.append(
            {
                "id": f"xss-{n}",
                "title": f"Harbour strike {p}",
                "text": f"{p} {BODY} The statement ended: {p}",
                "source": f"source {p}",
                "url": "javascript:alert('xss-url')",
                "published": f"2021-03-0{n + 1}T08:00:00+00:00",
            }
        )
    return out


def data_articles() -> list[dict[str, str]]:
    """A few real versions of WMT documents (source, references, MT) and ECB+ articles, dated."""
    out: list[dict[str, str]] = []
    wmt = data_file("wmt21-ru-en", "newstest2021.ru-en.all.xml")
    if wmt is not None:
        from samestory.eval.wmt import load_wmt

        for d, doc in enumerate(load_wmt(wmt)[:3]):
            for k, v in enumerate(doc.versions[:5]):
                if v.text.strip():
                    out.append(
                        {
                            "id": f"wmt-{d}-{k}",
                            "title": v.text.split("\n", 1)[0][:120],
                            "text": v.text,
                            "source": f"wmt {v.kind} {v.name}",
                            "lang": v.lang or "",
                            "published": f"2021-02-{10 + d:02d}T{6 + 2 * k:02d}:30:00+00:00",
                        }
                    )
    ecb = data_file("ecbplus", "topics-01-22.jsonl")
    if ecb is not None:
        with ecb.open(encoding="utf-8") as fh:
            for k, line in zip(range(8), fh, strict=False):
                rec = json.loads(line)
                out.append(
                    {
                        "id": f"ecb-{rec['id']}",
                        "title": rec["text"].split("\n", 1)[0][:120],
                        "text": rec["text"],
                        "source": f"ecb topic {rec['topic']}",
                        "published": f"2021-01-{5 + k:02d}T12:00:00+00:00",
                    }
                )
    return out


@dataclass(frozen=True)
class WebStore:
    path: Path
    hostile: tuple[str, ...]
    data: tuple[str, ...]


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> WebStore:
    from samestory.cli import commands  # noqa: F401  (registers the commands)
    from samestory.cli.app import app

    root = tmp_path_factory.mktemp("web")
    hostile = hostile_articles()
    data = data_articles()
    corpus = root / "corpus.jsonl"
    slashed = {
        "id": SLASHED,
        "title": "Lighthouse keepers",
        "text": "The last lighthouse keepers of the coast retired.",
    }
    corpus.write_text("".join(json.dumps(r) + "\n" for r in [*hostile, slashed, *data]), encoding="utf-8")
    db = root / "viewer.db"
    result = CliRunner().invoke(
        app, ["index", "add", str(EXAMPLE_A), str(EXAMPLE_B), str(corpus), "--db", str(db)]
    )
    assert result.exit_code == 0, result.stderr
    return WebStore(db, tuple(r["id"] for r in hostile), tuple(r["id"] for r in data))


@pytest.fixture(scope="session")
def client(web_store: WebStore) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from samestory.web import create_app

    with TestClient(create_app(web_store.path, encoder="lexical")) as c:
        yield c
