"""`Index`: incremental adds agree with the engine's batch clustering; removes, matches, windows, stories."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from corpus_samples import articles, gold, partition, synthetic_versions
from samestory.article import Article
from samestory.claims import MENTIONS_FORMAT
from samestory.corpus.bulk import BulkClusterer, cluster_batch
from samestory.corpus.cluster import order_key
from samestory.corpus.config import CorpusConfig, parse_window
from samestory.corpus.features import featurize
from samestory.errors import InputError, RecordError, StoreError
from samestory.index import Index
from samestory.ingest import from_text, read_paths

CFG = CorpusConfig()


def _batch(arts: list[Article]) -> dict[str, tuple[str, str | None]]:
    return {
        m.article_id: (m.story_id, m.matched_id)
        for m in cluster_batch([featurize(a, CFG) for a in arts], CFG)
    }


def _stored(ix: Index) -> dict[str, tuple[str, str | None]]:
    return {m.article_id: (m.story_id, m.matched_id) for m in ix.iter_memberships()}


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    return articles(synthetic_versions(60, seed=3))


def test_one_add_agrees_with_cluster_batch(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        memberships = ix.add(corpus)
        assert [m.article_id for m in memberships] == [a.id for a in corpus]
        assert _stored(ix) == _batch(corpus)
        assert len(ix) == len(corpus)


def test_adds_in_two_runs_agree_with_one_batch(tmp_path: Path, corpus: list[Article]) -> None:
    ordered = sorted(corpus, key=lambda a: order_key(featurize(a, CFG)))
    half = len(ordered) // 2
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(ordered[:half])
    with Index(tmp_path / "x.db") as ix:  # reopened: the stored settings are used
        assert ix.config == CFG
        ix.add(ordered[half:])
        assert _stored(ix) == _batch(corpus)


def test_index_finds_the_gold_stories_of_an_ingested_file(tmp_path: Path) -> None:
    versions = synthetic_versions(30, seed=5)
    with Index(tmp_path / "x.db") as ix:
        ix.add(articles(versions))
        got = {m.article_id: m.story_id for m in ix.iter_memberships()}
    assert partition(got) == partition({k: str(v) for k, v in gold(versions).items()})


def test_stored_articles_are_not_processed_again(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        first = ix.add(corpus)
        before = _stored(ix)
        report = ix.add_report(corpus)
        assert (report.added, report.skipped, report.replaced) == (0, len(corpus), 0)
        assert report.memberships == first
        assert _stored(ix) == before
        assert ix.store.connection.execute("SELECT count(*) FROM memberships").fetchone()[0] == len(corpus)


def test_changed_content_under_the_same_id_replaces_the_article(
    tmp_path: Path, corpus: list[Article]
) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(corpus)
        target = corpus[0]
        new = from_text("A completely different report about harbour cranes.", id=target.id, title="Cranes")
        report = ix.add_report([new])
        assert (report.added, report.replaced) == (0, 1)
        assert len(ix) == len(corpus)
        row = ix.store.article(target.id)
        assert row is not None and row.title == "Cranes"


def test_remove_deletes_and_reclusters_the_rest_of_the_story(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(corpus)
        story = max(ix.stories(), key=lambda s: (s.size, s.id))
        assert story.size >= 3
        founder = story.id
        ix.remove(founder)
        assert founder not in ix
        assert len(ix) == len(corpus) - 1
        rest = [a for a in corpus if a.id != founder]
        assert partition({k: v[0] for k, v in _stored(ix).items()}) == partition(
            {k: v[0] for k, v in _batch(rest).items()}
        )
        with pytest.raises(InputError, match="no article with id"):
            ix.remove(founder)


def test_match_names_the_story_without_storing(tmp_path: Path) -> None:
    versions = synthetic_versions(20, seed=9)
    held_out = next(v for v in versions if v.id.endswith("-reprint"))
    stored = [v for v in versions if v.id != held_out.id]
    with Index(tmp_path / "x.db") as ix:
        ix.add(articles(stored))
        count = len(ix)
        m = ix.match(articles([held_out])[0])
        expected = {v.id for v in stored if v.story == held_out.story}
        assert m.matched_id in expected
        assert ix.story(m.story_id).members[0].id in expected
        assert m.evidence is not None and m.evidence.same_story
        lonely = ix.match(from_text("Harbour cranes were repaired overnight by a night crew.", id="lonely"))
        assert (lonely.matched_id, lonely.story_id) == (None, "lonely")
        assert len(ix) == count
        assert "lonely" not in ix


def test_window_keeps_far_apart_versions_in_separate_stories(tmp_path: Path) -> None:
    text = " ".join(synthetic_versions(1, seed=2)[0].text for _ in range(1))
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    pair = [
        from_text(text, id="early", published=t0),
        from_text(text + " Updated.", id="late", published=t0 + timedelta(days=30)),
        from_text(text + " Again.", id="soon", published=t0 + timedelta(days=2)),
    ]
    with Index(tmp_path / "w.db", window=parse_window("7d")) as ix:
        ix.add(pair)
        assert ix.story_id_of("soon") == ix.story_id_of("early")
        assert ix.story_id_of("late") != ix.story_id_of("early")
    with Index(tmp_path / "all.db") as ix:
        ix.add(pair)
        assert len({ix.story_id_of(i) for i in ("early", "late", "soon")}) == 1


def test_story_explains_every_member_and_names_the_earliest(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(corpus)
        summaries = ix.stories()
        assert sum(s.size for s in summaries) == len(corpus)
        assert [(-s.size, s.id) for s in summaries] == sorted((-s.size, s.id) for s in summaries)
        big = summaries[0]
        story = ix.story(big.members[-1])  # an article id also finds its story
        assert story.id == big.id
        ids = {m.id for m in story.members}
        by_id = {a.id: a for a in corpus}
        dated = [(by_id[i].published, i) for i in ids if by_id[i].published is not None]
        assert story.earliest == min(dated)[1] == big.earliest
        for m in story.members:
            if m.matched_id is None:
                assert m.id == story.id
            else:
                assert m.matched_id in ids
                assert m.evidence is not None and m.evidence["same_story"]
                assert m.score == pytest.approx(m.evidence["score"], abs=1e-4)
        with pytest.raises(InputError, match="no story or article"):
            ix.story("nope")


def test_other_settings_on_a_filled_index_are_refused(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(corpus[:5])
    with pytest.raises(StoreError, match="other settings"):
        Index(tmp_path / "x.db", dataclasses.replace(CFG, match_threshold=0.9))


def test_input_errors_are_reported_and_the_rest_is_added(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "g1", "text": "Harbour cranes were repaired overnight by a night crew."}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "b1", "text": "fine line about river ferries and their crews."}\n{broken\n')
    errors: list[BaseException] = []
    with Index(tmp_path / "x.db") as ix:
        report = ix.add_report(read_paths([bad, good]), on_error=errors.append)
        assert report.added == 2
        assert {"g1", "b1"} <= {m.article_id for m in ix.iter_memberships()}
    assert len(errors) == 1 and isinstance(errors[0], RecordError)
    assert f"{bad}:2" in str(errors[0])


def test_read_only_index_refuses_to_add(tmp_path: Path, corpus: list[Article]) -> None:
    with Index(tmp_path / "x.db") as ix:
        ix.add(corpus[:3])
    with Index(tmp_path / "x.db", read_only=True) as ix:
        with pytest.raises(StoreError, match="read-only"):
            ix.add(corpus[3:6])
        assert len(ix) == 3


def test_ecb_events_agree_with_the_batch_engine(tmp_path: Path, ecb_jsonl: Path) -> None:
    arts = [a for a in read_paths([ecb_jsonl]) if not isinstance(a, InputError)][:200]
    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(arts)
        assert _stored(ix) == _batch(arts)


class _MarkerEncoder:
    """A test double for an encoder: the vector is the one-hot of the ``kqN`` marker in the text, so a
    "translation" (every other word changed) embeds exactly like its original and other stories are orthogonal.
    """

    name = "marker"
    dim = 64

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            m = re.search(r"\bkq(\d+)\b", t)
            out[i, int(m.group(1)) % self.dim if m else self.dim - 1] = 1.0
        return out


def _translate(text: str) -> str:
    return " ".join(w if w.startswith("kq") else w[::-1] + "o" for w in text.split())


def test_embedding_cascade_agrees_with_cluster_batch(tmp_path: Path) -> None:
    versions = synthetic_versions(12, seed=31)
    arts = []
    for v in versions:
        arts.append(from_text(f"kq{v.story} {v.text}", id=v.id, published=v.published, lang="en"))
        if v.id.endswith("-orig"):
            arts.append(
                from_text(
                    _translate(f"kq{v.story} {v.text}"), id=v.id + "-tr", published=v.published, lang="xx"
                )
            )
    encoder = _MarkerEncoder()
    cfg = dataclasses.replace(CFG, encoder="marker")
    engine = BulkClusterer(cfg, encoder=encoder)
    batch = engine.cluster([featurize(a, cfg) for a in arts])
    with Index(tmp_path / "x.db", cfg, encoder=encoder) as ix:
        ix.add(arts)
        assert _stored(ix) == {m.article_id: (m.story_id, m.matched_id) for m in batch}
        # the same documents are searchable by embedding as in the engine, translations that joined included
        stored = {i for i, _ in ix.store.embeddings()}
        assert stored == engine.state.in_search
        assert any(i.endswith("-tr") for i in stored)
    with Index(tmp_path / "x.db", encoder=encoder) as ix:  # a fresh process reads the embeddings back
        probe = from_text(_translate(f"kq{versions[0].story} {versions[0].text}"), id="probe", lang="xx")
        assert ix.match(probe).story_id == ix.story_id_of(versions[0].id)


def test_a_later_add_rewrites_stored_memberships_as_cluster_batch_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # scripted pair scores: b1 (event B) looked close enough to a (event A) when it came; b2 is b1's event
    from samestory.corpus import cluster as cluster_mod
    from samestory.corpus import step as step_mod
    from samestory.corpus import verify as verify_mod
    from samestory.corpus.verify import PairEvidence

    table = {frozenset(("a", "b1")): 0.6, frozenset(("a", "b2")): 0.3, frozenset(("b1", "b2")): 0.99}

    def scripted(a: object, b: object, cfg: CorpusConfig, stage: object = None) -> PairEvidence:
        score = table.get(frozenset((a.id, b.id)), 0.0)  # type: ignore[attr-defined]
        return PairEvidence(score, score >= cfg.match_threshold, "rewrite", {"terms_cosine": 0.5})

    monkeypatch.setattr(verify_mod, "verify", scripted)
    monkeypatch.setattr(cluster_mod, "verify", scripted)
    monkeypatch.setattr(step_mod, "verify", scripted)
    cfg = dataclasses.replace(CFG, match_threshold=0.5, join_threshold=0.5, regroup_ratio=0.0)
    text = "the same words in every one of these three texts so that they share every shingle band " * 3
    day = datetime(2021, 5, 1, tzinfo=UTC)
    arts = [
        from_text(text, id=i, lang="en", published=day + timedelta(hours=k))
        for k, i in enumerate(("a", "b1", "b2"))
    ]
    with Index(tmp_path / "x.db", cfg) as ix:
        ix.add(arts[:2])
        assert ix.story_id_of("b1") == "a"
        ix.add(arts[2:])
        stored = _stored(ix)
    assert stored == {"a": ("a", None), "b1": ("b1", None), "b2": ("b1", "b1")}
    batch = {
        m.article_id: (m.story_id, m.matched_id)
        for m in cluster_batch([featurize(a, cfg) for a in arts], cfg)
    }
    assert stored == batch


@pytest.mark.parametrize("path", ["online", "bulk"])
def test_index_agrees_with_cluster_batch_on_ecb_events_added_in_two_runs(
    tmp_path: Path, ecb_jsonl: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    import json

    (_bulk if path == "bulk" else _online)(monkeypatch)  # the regrouping step runs on both paths

    rows = [json.loads(line) for line in ecb_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    keep = sorted({r["topic"] for r in rows})[:4]
    rank: dict[int, int] = {}
    arts = []
    for r in rows:
        if r["topic"] in keep:  # dated so that each topic's articles are spread over both adds
            rank[r["topic"]] = rank.get(r["topic"], -1) + 1
            when = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=rank[r["topic"]])
            arts.append(from_text(r["text"], id=r["id"], published=when))
    ordered = sorted(arts, key=lambda a: order_key(featurize(a, CFG)))
    half = len(ordered) // 2
    with Index(tmp_path / "x.db", CFG) as ix:
        first = {m.article_id: m for m in ix.add(ordered[:half])}
        after_first = {m.article_id: m for m in ix.iter_memberships()}
        ix.add(ordered[half:])
        stored = _stored(ix)
    assert first == after_first
    assert stored == _batch(arts)


# -- the bulk path: a large add runs the engine in memory and must store exactly what the online path does --


def _online(monkeypatch: pytest.MonkeyPatch) -> None:
    import samestory.index

    monkeypatch.setattr(samestory.index, "BULK_MIN", 10**9)


def _bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    import samestory.index

    monkeypatch.setattr(samestory.index, "BULK_MIN", 1)
    monkeypatch.setattr(samestory.index, "BULK_BATCH", 7)  # several transactions


def test_bulk_add_agrees_with_cluster_batch_and_the_online_path(
    tmp_path: Path, corpus: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    _bulk(monkeypatch)
    with Index(tmp_path / "bulk.db", CFG) as ix:
        memberships = ix.add(corpus)
        bulk = _stored(ix)
        bulk_bands = sorted(ix.store.connection.execute("SELECT key, doc FROM bands").fetchall())
    assert [m.article_id for m in memberships] == [a.id for a in corpus]
    assert bulk == _batch(corpus)
    _online(monkeypatch)
    with Index(tmp_path / "online.db", CFG) as ix:
        ix.add(corpus)
        assert _stored(ix) == bulk
        assert sorted(ix.store.connection.execute("SELECT key, doc FROM bands").fetchall()) == bulk_bands


@pytest.mark.parametrize("path", ["online", "bulk"])
def test_an_add_with_workers_stores_what_one_process_does(
    tmp_path: Path, corpus: list[Article], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    import samestory.corpus.bulk as bulk_mod
    import samestory.corpus.features as features_mod

    (_bulk if path == "bulk" else _online)(monkeypatch)
    with Index(tmp_path / "one.db", CFG) as ix:
        ix.add(corpus)
        one = _stored(ix)
        one_bands = sorted(ix.store.connection.execute("SELECT key, doc FROM bands").fetchall())
    # small enough that both pools run on this corpus: featurisation (in chunks of 5) and pair verification
    monkeypatch.setattr(features_mod, "CHUNK", 5)
    monkeypatch.setattr(features_mod, "POOL_MIN", 10)
    monkeypatch.setattr(bulk_mod, "POOL_PAIRS", 1)
    with Index(tmp_path / "two.db", CFG, workers=2) as ix:
        ix.add(corpus)
        assert _stored(ix) == one
        assert sorted(ix.store.connection.execute("SELECT key, doc FROM bands").fetchall()) == one_bands
    with pytest.raises(InputError, match="workers"):
        Index(tmp_path / "bad.db", CFG, workers=-1)
    assert not (tmp_path / "bad.db").exists()


@pytest.mark.parametrize("cap", [2, 0])
def test_bulk_add_with_a_window_and_a_candidate_cap_agrees_with_the_online_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    versions = synthetic_versions(40, seed=9)
    arts = articles(versions)
    # spread the versions of a story over days, so that a 2-day window separates some of them
    spread = [
        dataclasses.replace(a, published=a.published + timedelta(days=(i % 4) * 1.5) if a.published else None)
        for i, a in enumerate(arts)
    ]
    stored = []
    for mode, name in ((_online, "online"), (_bulk, "bulk")):
        mode(monkeypatch)
        cfg = dataclasses.replace(CFG, max_candidates=cap)
        with Index(tmp_path / f"{name}.db", cfg, window=timedelta(days=2)) as ix:
            ix.add(spread[:25])  # the second add starts from a filled index: the bulk path seeds it
            ix.add(spread[25:])
            stored.append(_stored(ix))
    assert stored[0] == stored[1]
    assert len(set(s for s, _ in stored[0].values())) > len(
        {v.story for v in versions}
    )  # the window split some


def test_an_index_from_before_feature_schemes_is_refused_with_a_reason(
    tmp_path: Path, corpus: list[Article]
) -> None:
    import json

    with Index(tmp_path / "x.db", CFG) as ix:
        ix.add(corpus[:3])
        old = json.loads(ix.store.get_meta("config") or "{}")
        del old["fingerprint"]["scheme"]  # what an older samestory recorded
        with ix.store.transaction() as db:
            ix.store.set_meta(db, "config", json.dumps(old, sort_keys=True))
    with pytest.raises(StoreError, match="rebuild the index"):
        Index(tmp_path / "x.db")


@pytest.mark.slow
def test_a_second_add_of_mutated_articles_with_repeated_ids_succeeds(
    tmp_path: Path, wmt_xml: Path, ecb_jsonl: Path
) -> None:
    # two adds of 1,500 mutated WMT/ECB+ articles, ids repeated within and across the files, dated at random:
    # many articles are replaced, and a story's founder is often not its earliest member (an earlier-dated
    # article came later); a regrouping that left such a story as it was used to drop its id
    import random

    from samestory.eval.clusters import articles_of, load_cluster_data

    rng = random.Random(1)
    pool = articles_of(load_cluster_data(wmt_xml) + load_cluster_data(ecb_jsonl))

    def mutated() -> Article:
        a = rng.choice(pool)
        parts = a.text.split(". ")
        if len(parts) > 3 and rng.random() < 0.5:
            del parts[rng.randrange(len(parts))]
        when = datetime(2021, rng.randint(1, 9), rng.randint(10, 28), rng.randint(10, 23), tzinfo=UTC)
        return from_text(". ".join(parts), id=f"m{rng.randrange(2500):05d}", published=when)

    batches = [[mutated() for _ in range(1500)] for _ in range(2)]
    with Index(tmp_path / "m.db") as ix:
        for batch in batches:
            ix.add(batch)
        assert len(ix) == len({a.id for batch in batches for a in batch})
        stored = {m.article_id: m.story_id for m in ix.iter_memberships()}
        assert len(stored) == len(ix) and not ix.store.pending()
        for story_id in set(stored.values()):  # a story's id is one of its members'
            assert stored[story_id] == story_id
        ix.add([mutated() for _ in range(100)])  # and the online path after it
        assert not ix.store.pending()


def test_members_of_multi_version_stories_keep_their_claims_mentions_and_removing_drops_them(
    tmp_path: Path, corpus: list[Article]
) -> None:
    with Index(tmp_path / "s.db") as ix:
        ix.add(corpus)
        sizes = dict(ix.store.story_ids())
        story_of = {m.article_id: m.story_id for m in ix.iter_memberships()}
        kept = ix.store.mentions(list(story_of), MENTIONS_FORMAT)
        assert kept and set(kept) == {i for i, sid in story_of.items() if sizes[sid] > 1}
        gone, older = list(kept)[:2]
        ix.remove(gone)
        assert gone not in ix.store.mentions(list(story_of), MENTIONS_FORMAT)
        assert ix.store.lacking_mentions(MENTIONS_FORMAT) == []
        # mentions kept in another layout are found again by the next add
        with ix.store.transaction() as db:
            ix.store.put_mentions(db, older, MENTIONS_FORMAT - 1, "{}")
        assert ix.store.lacking_mentions(MENTIONS_FORMAT) == [older]
        ix.add([])
        assert ix.store.mentions([older], MENTIONS_FORMAT) == {older: kept[older]}
