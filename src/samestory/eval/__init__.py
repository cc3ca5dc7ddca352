"""Evaluation: data-set loaders, metrics and the `samestory eval …` commands."""
