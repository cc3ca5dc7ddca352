"""Pair scoring: graded similarity of two articles on the SemEval-2022 Task 8 scale, with evidence.

``score_pair(a, b, encoder)`` for one pair; ``score_pairs`` for many; for corpus verification prepare each
article once (``prepare``) and score prepared pairs (``score_prepared``) or feature rows (``predict_features``).
The model is numpy-only, read from the shipped ``similarity_weights.json``.
"""

from samestory.match.model import PairModel, Weights, load_weights
from samestory.match.score import (
    Evidence,
    Match,
    choose_model,
    predict_features,
    prepare,
    resolve_encoder,
    score_pair,
    score_pairs,
    score_prepared,
)
from samestory.match.signals import Signals

__all__ = [
    "Evidence",
    "Match",
    "PairModel",
    "Signals",
    "Weights",
    "choose_model",
    "load_weights",
    "predict_features",
    "prepare",
    "resolve_encoder",
    "score_pair",
    "score_pairs",
    "score_prepared",
]
