"""The claims table of a story in the terminal (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from samestory.claims import ClaimsTable

_STYLE = {"conflict": "bold red", "reworded": "yellow", "variant": "yellow", "only": "cyan"}


def render_claims(story_id: str, table: ClaimsTable, console: Console) -> None:
    """Print the claims of ``table``: each with its variants and the versions that state them."""
    n = len(table.versions)
    console.rule(
        f"[bold]claims of story {escape(story_id)}[/] — {len(table.claims)} claims over {n} versions, "
        f"{table.conflicts} conflicts"
    )
    short = {v.id: f"v{k + 1}" for k, v in enumerate(table.versions)}
    for v in table.versions:
        when = v.published.isoformat() if v.published else "undated"
        console.print(
            f"  {short[v.id]} = {escape(v.id)} ({escape(v.source or '-')}, {v.lang}, {when})", highlight=False
        )
    grid = Table(show_header=True, header_style="bold", expand=True)
    grid.add_column("type", no_wrap=True)
    grid.add_column("status", no_wrap=True)
    grid.add_column("variants (versions)", ratio=3)
    grid.add_column("first", no_wrap=True)
    grid.add_column("missing from", ratio=1)
    for c in table.claims:
        variants = "\n".join(
            f"{escape(v.text[:160])} [dim]({', '.join(short[i] for i in v.versions)})[/]" for v in c.variants
        )
        style = _STYLE.get(c.status, "green")
        grid.add_row(
            c.type,
            f"[{style}]{c.status}[/]",
            variants,
            short.get(c.first or "", "-"),
            ", ".join(short[i] for i in c.missing_from) or "-",
        )
    console.print(grid)
