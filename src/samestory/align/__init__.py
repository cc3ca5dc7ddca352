"""Sentence alignment between two versions of a story: 1–1, 1–many, many–1 and unaligned, reordering allowed.

Lexically, links are chosen best-first by score over *all* candidate pairs, so a paragraph moved to the end of
the other version is still found; a bonus for diagonal neighbours that also match keeps runs together, and
position fills the gaps between linked neighbours (`samestory.align.steps`). With every sentence embedded
(encoder mode) the linking is monotonic, as in vecalign and bertalign: a dynamic programme over 1–1, 1–2, 2–1,
2–2, 1–3 and 3–1 links scored on concatenation embeddings (tried only in the gaps of a one-against-one path),
then a pass that links a moved block only on strong evidence (`samestory.align.monotonic`), then the same repairs
as the lexical steps. The scores are in `samestory.align.score`, the settings in
`samestory.align.config`.

Three modes:

- **lexical** (no encoder): word-stem TF-IDF scores (`AlignConfig()` defaults).
- **hybrid** (an encoder, texts lexically comparable): a lexical pass first; then only the sentences it left
  unaligned or weakly linked are embedded, and the steps run again with encoder scores for them
  (`HYBRID_CONFIG`). Paraphrases are found at a fraction of the encoder's cost.
- **encoder** (an encoder, and the lexical pass leaves most sentences over, e.g. Russian against English): every
  sentence is embedded (`ENCODER_CONFIG`, monotonic linking). ``hybrid=False`` forces this mode.

>>> al = align_texts(["Gerasimov met de Villiers.", "They talked."], ["They talked at length.", "Gerasimov met de Villiers."])
>>> [(g.a, g.b) for g in al.groups]
[((0,), (1,)), ((1,), (0,))]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from samestory.align.config import ENCODER_CONFIG, HYBRID_CONFIG, AlignConfig
from samestory.align.score import WORD, Scorer, tokens
from samestory.align.steps import Links, link
from samestory.article import Article
from samestory.embed.base import Encoder

__all__ = [
    "ENCODER_CONFIG",
    "HYBRID_CONFIG",
    "AlignConfig",
    "Alignment",
    "Group",
    "align",
    "align_texts",
    "tokens",
]

_CYR = re.compile("[а-яёА-ЯЁ]")


@dataclass(frozen=True, slots=True)
class Group:
    """Sentences of A (``a``) that correspond to sentences of B (``b``), with the kind of correspondence."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    kind: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return {"a": list(self.a), "b": list(self.b), "kind": self.kind, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Alignment:
    """Groups in order of their first A sentence, and the sentences left unaligned on each side."""

    groups: tuple[Group, ...]
    unaligned_a: tuple[int, ...] = field(default=())
    unaligned_b: tuple[int, ...] = field(default=())

    def links(self) -> set[tuple[int, int]]:
        """Every (a, b) sentence pair inside a group."""
        return {(i, j) for g in self.groups for i in g.a for j in g.b}


def align_texts(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    *,
    encoder: Encoder | None = None,
    config: AlignConfig | None = None,
    hybrid: bool = True,
) -> Alignment:
    """Align two lists of sentences (or passages); indices in the result are positions in the lists.

    Without ``encoder`` the alignment is lexical. With one it is hybrid (see the module docstring), unless
    ``hybrid`` is false: then every sentence is embedded. ``config`` replaces the mode's defaults (in hybrid
    mode for both passes; the all-sentences fallback keeps `ENCODER_CONFIG`).
    """
    if encoder is None or not hybrid:
        cfg = config or (AlignConfig() if encoder is None else ENCODER_CONFIG)
        scorer = Scorer(texts_a, texts_b, encoder, cfg)
        return _finish(scorer, cfg, link(scorer, cfg, texts_a, texts_b), texts_a, texts_b)
    cfg = config or HYBRID_CONFIG
    scorer = Scorer(texts_a, texts_b, None, cfg)
    need = _leftovers(scorer, cfg, link(scorer, cfg, texts_a, texts_b))
    if len(need) >= cfg.hybrid_all * (scorer.n_a + scorer.n_b):
        # the texts are not lexically comparable (a translation, or unrelated): the encoder decides everything
        cfg = ENCODER_CONFIG
        scorer = Scorer(texts_a, texts_b, encoder, cfg)
    else:
        scorer.embed(encoder, sorted(need))
        scorer.encoder = encoder  # sentences inside merged passages are embedded on demand
    return _finish(scorer, cfg, link(scorer, cfg, texts_a, texts_b), texts_a, texts_b)


def _leftovers(scorer: Scorer, cfg: AlignConfig, links: Links) -> set[int]:
    """The units (global indices) the encoder should see after a lexical pass: the unaligned ones and those of
    groups scoring below ``hybrid_weak``. (Embedding the groups next to unaligned sentences as well was tried:
    their saturated encoder scores then outrank right lexical links.)"""
    n_a = scorer.n_a
    need = {i for i in range(n_a) if i not in links.owner[0]}
    need |= {n_a + j for j in range(scorer.n_b) if j not in links.owner[1]}
    for ga, gb in links.members:
        if scorer.score(ga, gb) < cfg.hybrid_weak:
            need.update(ga)
            need.update(n_a + j for j in gb)
    return need


def _kind(texts_a: Sequence[str], texts_b: Sequence[str]) -> str:
    ta, tb = " ".join(texts_a), " ".join(texts_b)
    if bool(_CYR.search(ta)) != bool(_CYR.search(tb)):
        return "translation"
    na = " ".join(WORD.findall(ta.lower()))
    nb = " ".join(WORD.findall(tb.lower()))
    if na == nb:
        return "verbatim"
    if fuzz.ratio(na, nb) >= 85:
        return "near_verbatim"
    return "paraphrase"


def _finish(
    scorer: Scorer, cfg: AlignConfig, links: Links, texts_a: Sequence[str], texts_b: Sequence[str]
) -> Alignment:
    """The alignment of ``links``, after the unrelated-texts check (too few strong links: keep only those)."""
    members = links.members
    strong = sum(1 for ga, gb in members if scorer.score(ga, gb) >= cfg.anchor)
    if strong < cfg.min_anchor_share * min(scorer.n_a, scorer.n_b):
        members = [(ga, gb) for ga, gb in members if scorer.score(ga, gb) >= cfg.anchor]
    in_a = {i for ga, _ in members for i in ga}
    in_b = {j for _, gb in members for j in gb}
    groups = sorted(
        (
            Group(
                tuple(ga),
                tuple(gb),
                _kind([texts_a[i] for i in ga], [texts_b[j] for j in gb]),
                scorer.score(ga, gb),
            )
            for ga, gb in members
        ),
        key=lambda g: (g.a[0], g.b[0]),
    )
    return Alignment(
        tuple(groups),
        tuple(i for i in range(scorer.n_a) if i not in in_a),
        tuple(j for j in range(scorer.n_b) if j not in in_b),
    )


def align(
    a: Article, b: Article, *, encoder: Encoder | None = None, config: AlignConfig | None = None
) -> Alignment:
    """Align the content (non-debris) sentences of two articles; indices are `Sentence.index` values."""
    sa, sb = a.content_sentences, b.content_sentences
    local = align_texts([s.text for s in sa], [s.text for s in sb], encoder=encoder, config=config)
    return Alignment(
        tuple(
            Group(tuple(sa[i].index for i in g.a), tuple(sb[j].index for j in g.b), g.kind, g.score)
            for g in local.groups
        ),
        tuple(sa[i].index for i in local.unaligned_a),
        tuple(sb[j].index for j in local.unaligned_b),
    )
