"""`samestory inspect FILE…`: what was read from each input — title, dateline, language, sentences, debris."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import typer
from rich.table import Table

from samestory.article import Article
from samestory.cli.app import EXIT_BAD_INPUT, app, error, handles_errors, show, stdout
from samestory.errors import InputError
from samestory.ingest import ReadOptions, read_paths
from samestory.ingest.options import DEFAULT_MAX_BYTES
from samestory.ingest.summary import article_summary


class InspectFormat(StrEnum):
    table = "table"
    json = "json"


def _render_table(article: Article) -> None:
    dl = article.dateline
    stdout.rule(f"[bold]{show(article.title or '(no title)')}[/]")
    stdout.print(
        f"id [cyan]{show(article.id)}[/]  source {show(article.source or '-')}  lang [green]{show(article.lang)}[/]  "
        f"dateline {show(f'{dl.place}, {dl.date}' if dl and dl.date else dl.place if dl else '-')}  "
        f"sentences {len(article.sentences)}  debris spans {len(article.debris)}",
        highlight=False,
    )
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("span", no_wrap=True)
    table.add_column("debris", no_wrap=True)
    table.add_column("sentence", ratio=1)
    for s in article.sentences:
        kind = next((d.kind for d in article.debris if d.start <= s.start and s.end <= d.end), "")
        style = "dim" if s.debris else ""
        table.add_row(str(s.index), f"{s.start}-{s.end}", kind, show(s.text), style=style)
    stdout.print(table)


@app.command("inspect")
@handles_errors
def inspect(
    files: list[str] = typer.Argument(..., help="Files or directories to read ('-' for stdin)."),
    format: InspectFormat = typer.Option(InspectFormat.table, "--format", "-f", help="table or json."),
    text_field: str | None = typer.Option(None, help="JSONL/CSV field holding the article text."),
    title_field: str | None = typer.Option(None, help="JSONL/CSV field holding the title."),
    id_field: str | None = typer.Option(None, help="JSONL/CSV field holding the article id."),
    date_field: str | None = typer.Option(None, help="JSONL/CSV field holding the publication date."),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, help="Largest article (file, line, row or record) to read."
    ),
    lang: str | None = typer.Option(None, help="Language of every input (skips language identification)."),
) -> None:
    """Show what was read: title, dateline, language, sentences and debris (rich table or JSON)."""
    options = ReadOptions(
        text_field=text_field,
        title_field=title_field,
        id_field=id_field,
        date_field=date_field,
        max_bytes=max_bytes,
        lang=lang,
    )
    failures = 0
    records = []
    for item in read_paths(files, options):
        if isinstance(item, InputError):
            failures += 1
            error(show(str(item)))
        elif format is InspectFormat.json:
            records.append(article_summary(item))
        else:
            _render_table(item)
    if format is InspectFormat.json:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    if failures:
        raise typer.Exit(EXIT_BAD_INPUT)
