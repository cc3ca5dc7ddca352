"""A self-contained HTML report of a `Comparison`: the versions side by side, linked and colour-coded groups.

The page has no external resources (inline CSS and a few lines of inline JavaScript). Every piece of article text
goes through Jinja2 autoescaping, and first through `samestory.text.display.printable` (control characters and
bidi overrides shown as escapes, so no text can reorder or hide what the page shows): articles are untrusted
input. `to_html_body` is the report without the page around it (for the web viewer, which serves the script
``SCRIPT_PATH`` as a file).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from samestory.article import Article
from samestory.comparison import Comparison
from samestory.text.display import printable

_TEMPLATES = Path(__file__).with_name("templates")
#: the report's script (linked highlighting), inlined by `to_html`
SCRIPT_PATH = _TEMPLATES / "compare.js"


def show_controls(value: Any) -> Any:
    """Jinja ``finalize``: every ``{{ ... }}`` of a template passes here before autoescaping; control characters
    and bidi overrides in text are shown as escapes (`printable`), markup built on purpose is left as is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,  # always, whatever the template's extension
        finalize=show_controls,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# pastel colours, no yellow (yellow marks only-in passages); neighbouring groups get distinct colours
_PALETTE = (
    "#f9d0d0", "#cdeccd", "#cfe0fb", "#e5d4f7", "#c9f0ee", "#fbd9ea",
    "#d9e8c4", "#d4d9f7", "#f4d6c6", "#c6e6f5", "#ecd0f0", "#d0f0dc",
)  # fmt: skip


def _colour(n: int) -> str:
    return _PALETTE[n % len(_PALETTE)]


def _paragraphs(article: Article, group_of: dict[int, int], only: set[int]) -> list[list[dict[str, Any]]]:
    paras: list[list[dict[str, Any]]] = []
    prev_end = 0
    for s in article.sentences:
        gap = article.text[prev_end : s.start]
        if not paras or "\n" in gap:
            paras.append([])
        g = group_of.get(s.index)
        paras[-1].append(
            {
                "index": s.index,
                "text": s.text,
                "group": g,
                "colour": _colour(g) if g is not None else "",
                "state": "debris"
                if s.debris
                else ("only" if s.index in only else ("aligned" if g is not None else "")),
            }
        )
        prev_end = s.end
    return paras


def paragraphs(article: Article) -> list[list[dict[str, Any]]]:
    """The article's sentences by paragraph, each with its state ("debris" or ""), as the report shows them."""
    return _paragraphs(article, {}, set())


def to_html(comparison: Comparison) -> str:
    """The report as one HTML document (a string)."""
    return _env().get_template("compare.html.j2").render(**_context(comparison))


def to_html_body(comparison: Comparison) -> str:
    """The report's content (styles scoped to ``.ss-compare``, no script) to embed in another page."""
    return _env().get_template("compare_body.html.j2").render(**_context(comparison))


def _context(comparison: Comparison) -> dict[str, Any]:
    c = comparison
    group_a = {i: n for n, g in enumerate(c.alignment.groups) for i in g.a}
    group_b = {j: n for n, g in enumerate(c.alignment.groups) for j in g.b}
    similarity = c.similarity.to_dict() if c.similarity is not None else None
    return dict(
        c=c,
        a=c.a,
        b=c.b,
        paras_a=_paragraphs(c.a, group_a, set(c.diff.only_in_a)),
        paras_b=_paragraphs(c.b, group_b, set(c.diff.only_in_b)),
        groups=[{"n": n, "colour": _colour(n), "g": g} for n, g in enumerate(c.alignment.groups)],
        changes=sorted(
            c.diff.changes,
            key=lambda ch: (
                {"quote": 0, "name": 1, "number": 2, "date": 3}.get(ch.type, 9),
                ch.status in ("same", "agree"),
            ),
        ),
        entities=[e for e in c.diff.entities if e.variants_a and e.variants_b],
        similarity=similarity,
    )
