"""Deduplication: copies removed (or one version kept per story and language), every removal explained,
outputs all-or-nothing."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC
from pathlib import Path

import pytest

from corpus_samples import gold, synthetic_versions, write_jsonl
from samestory.corpus.config import CorpusConfig
from samestory.corpus.features import featurize
from samestory.dedup import Level, dedup_paths, plan
from samestory.errors import InputError, OutputError
from samestory.ingest import from_text

CFG = CorpusConfig()


def test_plan_keeps_the_earliest_version_of_each_story() -> None:
    versions = synthetic_versions(25, seed=4)
    docs = [
        featurize(from_text(v.text, title=v.title, id=v.id, published=v.published, lang="en"), CFG)
        for v in versions
    ]
    result = plan(docs, CFG, level=Level.story)
    story = gold(versions)
    assert len(result.kept) == len(set(story.values()))
    assert sorted(result.kept + [r.removed_id for r in result.removed]) == sorted(story)
    by_id = {v.id: v for v in versions}
    for r in result.removed:
        assert story[r.removed_id] == story[r.kept_id]
        siblings = [v for v in versions if v.story == story[r.kept_id]]
        assert by_id[r.kept_id].published == min(v.published for v in siblings if v.published)
        assert r.reason.startswith(f"same story as {r.kept_id}") and r.level == "story"
        assert r.evidence is not None and r.kind == r.evidence["kind"]


def test_copy_level_removes_copies_and_keeps_independent_reports(ecb_jsonl: Path) -> None:
    # synthetic versions are all copies of one text (reprint, truncation, dropped or moved sentences)
    versions = synthetic_versions(12, seed=4)
    docs = [featurize(from_text(v.text, id=v.id, published=v.published, lang="en"), CFG) for v in versions]
    copies = plan(docs, CFG)
    assert sorted(copies.kept) == sorted(v.id for v in versions if v.id.endswith("-orig"))
    assert all(r.level == "copy" and r.reason.startswith(f"a copy of {r.kept_id}") for r in copies.removed)
    # ECB+ articles are different outlets' own reports of an event: the same stories, hardly any copies
    rows = [json.loads(line) for line in ecb_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    topics = sorted({r["topic"] for r in rows})[:4]
    reports = [
        featurize(from_text(r["text"], id=r["id"], lang="en"), CFG) for r in rows if r["topic"] in topics
    ]
    story_level = plan(reports, CFG, level=Level.story)
    copy_level = plan(reports, CFG, memberships=None)
    assert len(story_level.removed) > len(reports) / 2
    assert len(copy_level.removed) < len(reports) / 10


def test_without_dates_the_longest_version_is_kept() -> None:
    versions = synthetic_versions(10, seed=8, dated=False)
    docs = [featurize(from_text(v.text, id=v.id, lang="en"), CFG) for v in versions]
    length = {d.id: d.length for d in docs}
    for r in plan(docs, CFG).removed:
        assert length[r.kept_id] >= length[r.removed_id]
        assert "longest" in r.reason


def test_translations_are_kept_unless_asked_to_dedup_across_languages() -> None:
    base = synthetic_versions(1, seed=6)[0]
    docs = [
        featurize(from_text(base.text, id="en1", lang="en", published=base.published), CFG),
        featurize(from_text(base.text + " Read more.", id="en2", lang="en"), CFG),
    ]
    # a same-story version in another language: same features, other language tag
    docs.append(dataclasses.replace(docs[0], id="ru1", lang="ru", published=None))
    per_lang = plan(docs, CFG)
    assert set(per_lang.kept) == {"en1", "ru1"}
    across = plan(docs, CFG, across_languages=True, level=Level.story)
    assert across.kept == ["en1"]
    assert {r.removed_id for r in across.removed} == {"en2", "ru1"}


def test_dedup_paths_writes_kept_articles_and_the_map(tmp_path: Path) -> None:
    versions = synthetic_versions(15, seed=12)
    src = write_jsonl(tmp_path / "in.jsonl", versions)
    with src.open("a") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"id": versions[0].id, "text": "a repeated id with other text"}) + "\n")
    errors: list[InputError] = []
    out, mp = tmp_path / "out.jsonl", tmp_path / "map.jsonl"
    result = dedup_paths([src], out, mp, on_error=errors.append)
    assert len(errors) == 1 and f"{src}:{len(versions) + 1}" in str(errors[0])
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    removed = [json.loads(line) for line in mp.read_text().splitlines()]
    assert [k["id"] for k in kept] == result.kept
    assert len({k["id"] for k in kept}) == len(kept) == len(set(gold(versions).values()))
    assert {r["removed"] for r in removed if r["kind"] != "repeat"} | {k["id"] for k in kept} == set(
        gold(versions)
    )
    assert any(r["kind"] == "repeat" and r["removed"] == versions[0].id for r in removed)
    text = {v.id: v.text for v in versions}
    for k in kept:
        assert k["text"] == text[k["id"]]
        assert k["published"] is not None
    assert all(
        {"removed", "kept", "story_id", "kind", "score", "reason", "evidence"} <= set(r) for r in removed
    )
    assert not list(tmp_path.glob("*.tmp"))


def test_unwritable_output_is_an_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    versions = synthetic_versions(3, seed=1)
    src = write_jsonl(tmp_path / "in.jsonl", versions)
    with pytest.raises(OutputError, match="cannot write"):
        dedup_paths([src], tmp_path / "missing-dir" / "out.jsonl", tmp_path / "map.jsonl")
    assert not (tmp_path / "map.jsonl").exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_naive_and_aware_dates_compare_as_utc() -> None:
    versions = synthetic_versions(1, seed=13)
    first = min(versions, key=lambda v: v.published.timestamp() if v.published else 0.0)
    docs = []
    for v in versions:
        published = v.published
        if v.id == first.id and published is not None:
            published = published.astimezone(UTC).replace(tzinfo=None)  # naive = UTC
        docs.append(featurize(from_text(v.text, id=v.id, published=published, lang="en"), CFG))
    assert plan(docs, CFG).kept == [first.id]
