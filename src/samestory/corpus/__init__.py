"""Corpus mode: features, candidate search, pair verification, story clustering and provenance.

The stages are plain functions over `DocFeatures` (built once per article by `featurize`), so the in-memory
`cluster_batch` and the persistent SQLite index run the same logic and agree.
"""
