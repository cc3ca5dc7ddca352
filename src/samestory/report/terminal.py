"""A rich terminal summary of a `Comparison`: verdict, aligned passages, only-in content, debris, changes."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from samestory.article import Article
from samestory.comparison import Comparison
from samestory.text.display import printable

_STATUS_STYLE = {
    "same": "green",
    "agree": "green",
    "reworded": "yellow",
    "variant": "yellow",
    "conflict": "bold red",
    "only_a": "cyan",
    "only_b": "magenta",
}
_MAX_LISTED = 12
_MAX_ONLY = 30  # sentences listed per only-in panel
_MAX_CHANGES = 25  # rows of the changes table


def _clip(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _label(article: Article, side: str) -> str:
    title = article.title or article.id
    return f"{side}: {_clip(title, 70)} ({article.lang}, {len(article.sentences)} sentences)"


def _texts(article: Article, indices: tuple[int, ...], width: int) -> str:
    return _clip(" ".join(article.sentences[i].text for i in indices), width)


def _num(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float | int) and not isinstance(value, bool) else str(value)


def _line(text: str, style: str = "") -> Text:
    return Text(printable(text), style=style, no_wrap=True, overflow="ellipsis")


def render_terminal(comparison: Comparison, console: Console, *, width: int = 60) -> None:
    """Print the summary on ``console`` (article text is printed as text, never parsed as rich markup)."""
    c = comparison
    a, b = c.a, c.b
    verdict = Text()
    if c.same_story:
        verdict.append("SAME STORY", style="bold green")
    else:
        verdict.append("DIFFERENT STORIES", style="bold red")
    verdict.append(f"  score {c.score:.2f}  ·  encoder {c.encoder}\n")
    verdict.append(printable(c.explanation))
    verdict.append(f"\n{_label(a, 'A')}\n{_label(b, 'B')}", style="dim")
    if c.similarity is not None:
        sim = c.similarity.to_dict()
        verdict.append("\ngraded similarity ", style="bold")
        verdict.append("(SemEval-2022 scale: 1 = very similar … 4 = very dissimilar): ", style="dim")
        verdict.append(f"overall {_num(sim.get('overall'))}", style="bold")
        facts = [
            f"{label} {_num(sim[key])}"
            for key, label in (
                ("same_story_probability", "same-story probability"),
                ("confidence", "confidence"),
            )
            if key in sim
        ]
        if "model" in sim:
            facts.append(f"model {sim['model']}")
        if facts:
            verdict.append("\n  " + " · ".join(facts))
        dims = sim.get("dimensions")
        if isinstance(dims, dict):
            verdict.append("\n  dimensions: " + " · ".join(f"{k} {_num(v)}" for k, v in dims.items()))
        for ev in sim.get("evidence") or []:
            if isinstance(ev, dict):
                shown = ", ".join(map(str, ev.get("items") or []))
                verdict.append(
                    f"\n  {ev.get('dimension')}: {ev.get('detail')}" + (f" [{shown}]" if shown else "")
                )
        for w in sim.get("warnings") or []:
            verdict.append(f"\n  warning: {w}", style="yellow")
    console.print(Panel(verdict, title="samestory compare", box=box.ROUNDED), soft_wrap=False)

    groups = Table(title="Aligned passages", box=box.SIMPLE_HEAD, expand=True)
    groups.add_column("#", justify="right", no_wrap=True)
    groups.add_column("A", no_wrap=True)
    groups.add_column("B", no_wrap=True)
    groups.add_column("kind", no_wrap=True)
    groups.add_column("score", justify="right", no_wrap=True)
    groups.add_column("A text", ratio=1, no_wrap=True, overflow="ellipsis")
    groups.add_column("B text", ratio=1, no_wrap=True, overflow="ellipsis")
    for n, g in enumerate(c.alignment.groups, 1):
        groups.add_row(
            str(n),
            ",".join(map(str, g.a)),
            ",".join(map(str, g.b)),
            g.kind.replace("_", "-"),
            f"{g.score:.2f}",
            Text(_texts(a, g.a, 4 * width)),
            Text(_texts(b, g.b, 4 * width)),
        )
    console.print(groups, soft_wrap=False)

    for side, article, indices, style in (
        ("A", a, c.diff.only_in_a, "cyan"),
        ("B", b, c.diff.only_in_b, "magenta"),
    ):
        if indices:
            lines = [
                _line(f"[{i}] " + _clip(article.sentences[i].text, 4 * width)) for i in indices[:_MAX_ONLY]
            ]
            if len(indices) > _MAX_ONLY:
                lines.append(_line(f"… {len(indices) - _MAX_ONLY} more in --format json / html", "dim"))
            body = Group(*lines)
            console.print(
                Panel(body, title=f"Only in {side}: {len(indices)} sentences", border_style=style),
                soft_wrap=False,
            )
    for side, article, indices in (("A", a, c.diff.debris_a), ("B", b, c.diff.debris_b)):
        if indices:
            shown = " | ".join(_clip(article.sentences[i].text, 40) for i in indices[:_MAX_LISTED])
            console.print(Text(f"Debris in {side} ({len(indices)}): {shown}", style="dim"))

    detailed = [ch for ch in c.diff.changes if ch.status in ("reworded", "variant", "conflict")]
    detailed += [ch for ch in c.diff.changes if ch.type == "quote" and ch.status in ("only_a", "only_b")]
    if detailed:
        table = Table(title="Changes", box=box.SIMPLE_HEAD, expand=True)
        table.add_column("type", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("A", ratio=1)
        table.add_column("B", ratio=1)
        order = {"conflict": 0, "reworded": 1, "variant": 2, "only_a": 3, "only_b": 4}
        ranked = sorted(detailed, key=lambda ch: order.get(ch.status, 9))
        if len(ranked) > _MAX_CHANGES:
            table.caption = f"{len(ranked) - _MAX_CHANGES} more in --format json / html"
        for ch in ranked[:_MAX_CHANGES]:
            table.add_row(
                ch.type,
                Text(ch.status, style=_STATUS_STYLE.get(ch.status, "")),
                Text(_clip(ch.a or "—", 2 * width)),
                Text(_clip(ch.b or "—", 2 * width)),
            )
        console.print(table, soft_wrap=False)
    for kind in ("name", "number", "date"):
        for status, side in (("only_a", "A"), ("only_b", "B")):
            items = [
                ch.a if side == "A" else ch.b
                for ch in c.diff.changes
                if ch.type == kind and ch.status == status
            ]
            if items:
                listed = ", ".join(dict.fromkeys(_clip(str(x), 40) for x in items))
                console.print(
                    Text(f"{kind.capitalize()}s only in {side} ({len(items)}): ", style=_STATUS_STYLE[status])
                    + Text(listed)
                )
    agree = {k: 0 for k in ("quote", "name", "number", "date")}
    for ch in c.diff.changes:
        if ch.status in ("same", "agree"):
            agree[ch.type] += 1
    agree["name"] += sum(1 for e in c.diff.entities if e.status == "same")
    console.print(
        Text(
            "In agreement: " + ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in agree.items()) + ".",
            style="green",
        )
    )
