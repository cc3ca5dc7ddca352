"""Every corpus entry point gives the same stories: `samestory cluster`, `samestory index add` (in one or two
runs, by the bulk or the online path), `samestory dedup --level story`, `eval clusters` and `cluster_batch`
run one online step (`samestory.corpus.step.decide`), so on the same input they agree membership for
membership."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samestory.article import Article, utc_timestamp
from samestory.cli import get_app
from samestory.corpus.bulk import cluster_batch
from samestory.corpus.config import CorpusConfig
from samestory.eval.clusters import articles_of, evaluate_clusters, featurize_docs, load_cluster_data
from samestory.index import Index
from samestory.ingest import read_paths

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _stored(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT a.id, m.story_id, m.matched_id FROM memberships m JOIN articles a ON a.doc = m.doc"
        ).fetchall()
    return {str(i): (str(s), None if m is None else str(m)) for i, s, m in rows}


def _clustered(path: Path) -> dict[str, tuple[str, str | None]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["id"]: (r["story_id"], r["matched_id"]) for r in records}


def _run(*args: str) -> None:
    result = runner.invoke(get_app(), list(args))  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output


def _cli_entry_points(data: Path, tmp_path: Path, split: int) -> dict[str, dict[str, tuple[str, str | None]]]:
    """What `cluster`, `index add` (one run), `index add` (two runs: the first ``split`` records, then the
    rest) and `dedup --level story` say of the articles of the JSONL file ``data``."""
    out: dict[str, dict[str, tuple[str, str | None]]] = {}
    _run("cluster", str(data), "--out", str(tmp_path / "c.jsonl"))
    out["cluster"] = _clustered(tmp_path / "c.jsonl")
    _run("index", "add", str(data), "--db", str(tmp_path / "one.db"))
    out["index add"] = _stored(tmp_path / "one.db")
    # the two runs split the input in the engine's order (a later run's articles come after the earlier ones'
    # in one batch too, as in an archive indexed as it grows)
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    arts = [a for a in read_paths([data]) if not isinstance(a, Exception)]
    assert len(arts) == len(lines)
    rank = sorted(range(len(lines)), key=lambda k: _order(arts[k]))
    lines = [lines[k] for k in rank]
    (tmp_path / "a.jsonl").write_text("".join(lines[:split]), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(lines[split:]), encoding="utf-8")
    _run("index", "add", str(tmp_path / "a.jsonl"), "--db", str(tmp_path / "two.db"))
    _run("index", "add", str(tmp_path / "b.jsonl"), "--db", str(tmp_path / "two.db"))
    out["index add, two runs"] = _stored(tmp_path / "two.db")
    _run(
        "dedup",
        str(data),
        "--level",
        "story",
        "--out",
        str(tmp_path / "k.jsonl"),
        "--map",
        str(tmp_path / "m.jsonl"),
    )
    removed = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()]
    kept = [
        json.loads(line)["id"] for line in (tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    story = {i: out["cluster"][i][0] for i in kept}
    story.update({r["removed"]: r["story_id"] for r in removed})
    out["dedup"] = {i: (s, out["cluster"][i][1]) for i, s in story.items()}
    return out


def _order(a: Article) -> tuple[int, float, str]:
    return (1, 0.0, a.id) if a.published is None else (0, utc_timestamp(a.published), a.id)


def _assert_all_equal(found: dict[str, dict[str, tuple[str, str | None]]]) -> None:
    first_name, first = next(iter(found.items()))
    for name, got in found.items():
        assert got == first, f"{name} differs from {first_name}"


@pytest.mark.slow
def test_entry_points_agree_on_ecb_events(ecb_jsonl: Path, tmp_path: Path) -> None:
    found = _cli_entry_points(ecb_jsonl, tmp_path, split=300)  # the second run: the online path
    docs = load_cluster_data(ecb_jsonl)
    cfg = CorpusConfig()
    feats = featurize_docs(docs, cfg)
    found["cluster_batch"] = {m.article_id: (m.story_id, m.matched_id) for m in cluster_batch(feats, cfg)}
    _assert_all_equal(found)
    # and `eval clusters` scores those very stories
    from samestory.eval.clusters import score_partition

    report = evaluate_clusters(docs, cfg)
    story = found["cluster"]
    assert report.ari == score_partition([d.gold for d in docs], [story[d.id][0] for d in docs]).ari
    assert len({s for s, _ in story.values()}) > 30  # not one story, not one per article


@pytest.mark.slow
def test_the_index_agrees_with_cluster_batch_on_wmt_versions(wmt_xml: Path, tmp_path: Path) -> None:
    docs = load_cluster_data(wmt_xml)
    cfg = CorpusConfig()
    batch = {m.article_id: (m.story_id, m.matched_id) for m in cluster_batch(featurize_docs(docs, cfg), cfg)}
    arts = sorted(articles_of(docs), key=_order)  # split in the engine's order
    with Index(tmp_path / "w.db", cfg) as ix:  # a bulk add, then an online one
        ix.add(arts[:1000])
        ix.add(arts[1000:])
        stored = {m.article_id: (m.story_id, m.matched_id) for m in ix.iter_memberships()}
    assert stored == batch


@pytest.mark.slow
def test_entry_points_agree_on_a_generated_corpus(wmt_xml: Path, ecb_jsonl: Path, tmp_path: Path) -> None:
    data = tmp_path / "corpus.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "corpus_gen.py"),
            "--docs",
            "6000",
            "--seed",
            "3",
            "--out",
            str(data),
        ],
        check=True,
        capture_output=True,
    )
    # the two runs: 5,400 by the bulk path, then 600 by the online path over the filled store
    found = _cli_entry_points(data, tmp_path, split=5400)
    _assert_all_equal(found)
