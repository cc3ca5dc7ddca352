"""Imports every command module so that its commands register on the app."""

from samestory.cli import (  # noqa: F401
    compare_cmd,
    corpus_cmd,
    eval_clusters_cmd,
    inspect_cmd,
    similarity_cmd,
    web_cmd,
)
