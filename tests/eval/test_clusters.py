"""`samestory eval clusters`: loaders, metrics (checked against scikit-learn and by hand), the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from samestory.errors import RecordError
from samestory.eval.clusters import (
    adjusted_rand_index,
    bcubed_f1,
    evaluate_clusters,
    load_event_jsonl,
    load_wmt_stories,
    pairwise_prf,
)

labels = st.lists(st.sampled_from("abcde"), min_size=2, max_size=40)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(labels, labels)
def test_ari_agrees_with_scikit_learn(gold: list[str], other: list[str]) -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    n = min(len(gold), len(other))
    gold, pred = gold[:n], other[:n]
    assert adjusted_rand_index(gold, pred) == pytest.approx(sklearn_metrics.adjusted_rand_score(gold, pred))


def test_pairwise_and_bcubed_by_hand() -> None:
    gold, pred = ["a", "a", "b"], ["x", "x", "x"]
    p, r, f = pairwise_prf(gold, pred)
    assert (p, r) == pytest.approx((1 / 3, 1.0)) and f == pytest.approx(0.5)
    # B-cubed: precision (2/3+2/3+1/3)/3 = 5/9, recall 1
    assert bcubed_f1(gold, pred) == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))
    assert adjusted_rand_index(gold, gold) == 1.0


def test_jsonl_bad_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "1", "text": "x", "event": "e"}\n{broken\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"gold.jsonl:2"):
        load_event_jsonl(path)


def test_wmt_versions_cluster_into_their_documents(wmt_xml: Path) -> None:
    docs = load_wmt_stories(wmt_xml)
    keep = sorted({d.gold for d in docs})[:8]
    subset = [d for d in docs if d.gold in keep]
    assert all(d.lang == "en" for d in subset)
    report = evaluate_clusters(subset)
    assert report.gold_stories == 8
    assert report.ari > 0.8  # singletons or one big story score 0


def test_with_sources_adds_the_russian_originals(wmt_xml: Path) -> None:
    english = load_wmt_stories(wmt_xml)
    both = load_wmt_stories(wmt_xml, with_sources=True)
    extra = {d.lang for d in both} - {d.lang for d in english}
    assert extra == {"ru"} and len(both) > len(english)


def test_cli_prints_json_with_ari(tmp_path: Path) -> None:
    from samestory.cli import commands  # noqa: F401
    from samestory.cli.app import app

    rows = [
        {"id": f"d{i}", "event": "quake" if i < 3 else "vote", "text": text}
        for i, text in enumerate(
            [
                "A strong earthquake hit northern Chile on Tuesday, killing three people in Arica.",
                "Three people died when a strong earthquake struck Arica in northern Chile on Tuesday.",
                "An earthquake in northern Chile killed three in Arica, officials said on Tuesday.",
                "Voters in Iceland elected a new parliament on Saturday amid anger over banks.",
                "Iceland's parliament election on Saturday was dominated by anger over the banks.",
            ]
        )
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "clusters", "--data", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"ari", "pairwise_f1", "bcubed_f1", "docs_per_second"} <= set(out)
    missing = CliRunner().invoke(app, ["eval", "clusters", "--data", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2


def test_jsonl_gold_is_the_event_or_the_story_field(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = [
        {"id": "a", "text": "one", "event": "e1"},
        {"id": "b", "text": "two", "story": "s1"},
        {"id": "c", "text": "three", "story": "s1", "topic": "t"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs = load_event_jsonl(path)
    assert [(d.gold, d.group) for d in docs] == [("e1", "e1"), ("s1", "s1"), ("s1", "t")]
    path.write_text('{"id": "d", "text": "four"}\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"corpus.jsonl:1.*'story'"):
        load_event_jsonl(path)
