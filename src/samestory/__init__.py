"""samestory: find every version of a news story and show how the versions correspond and differ.

>>> import samestory
>>> a = samestory.from_text("Gerasimov met de Villiers in Moscow.", title="Allies")
>>> a.title
'Allies'

The public API is listed in ``__all__``; names are imported on first use so that ``import samestory``
stays light (no numpy-heavy or optional dependency is imported until a feature needs it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Article": "samestory.article",
    "Sentence": "samestory.article",
    "Span": "samestory.article",
    "Dateline": "samestory.article",
    "SamestoryError": "samestory.errors",
    "InputError": "samestory.errors",
    "ReadError": "samestory.errors",
    "RecordError": "samestory.errors",
    "EmptyArticleError": "samestory.errors",
    "MissingDependencyError": "samestory.errors",
    "ModelError": "samestory.errors",
    "StoreError": "samestory.errors",
    "SchemaVersionError": "samestory.errors",
    "DataError": "samestory.errors",
    "from_text": "samestory.ingest.build",
    "compare": "samestory.comparison",
    "Comparison": "samestory.comparison",
    "read_paths": "samestory.ingest.readers",
    "load": "samestory.ingest.readers",
    "ReadOptions": "samestory.ingest.options",
    "Encoder": "samestory.embed.base",
    "get_encoder": "samestory.embed.base",
    "Match": "samestory.match.score",
    "score_pair": "samestory.match.score",
    "Index": "samestory.index",
    "CorpusConfig": "samestory.corpus.config",
    "DocFeatures": "samestory.corpus.features",
    "featurize": "samestory.corpus.features",
    "PairEvidence": "samestory.corpus.verify",
    "verify": "samestory.corpus.verify",
    "Membership": "samestory.corpus.cluster",
    "cluster_batch": "samestory.corpus.bulk",
    "OutputError": "samestory.errors",
}

__all__ = [
    "Article",
    "Comparison",
    "CorpusConfig",
    "DataError",
    "Dateline",
    "DocFeatures",
    "EmptyArticleError",
    "Encoder",
    "Index",
    "InputError",
    "Match",
    "Membership",
    "MissingDependencyError",
    "ModelError",
    "OutputError",
    "PairEvidence",
    "ReadError",
    "ReadOptions",
    "RecordError",
    "SamestoryError",
    "SchemaVersionError",
    "Sentence",
    "Span",
    "StoreError",
    "__version__",
    "cluster_batch",
    "compare",
    "featurize",
    "from_text",
    "get_encoder",
    "load",
    "read_paths",
    "score_pair",
    "verify",
]

if TYPE_CHECKING:
    from samestory.article import Article, Dateline, Sentence, Span
    from samestory.comparison import Comparison, compare
    from samestory.corpus.bulk import cluster_batch
    from samestory.corpus.cluster import Membership
    from samestory.corpus.config import CorpusConfig
    from samestory.corpus.features import DocFeatures, featurize
    from samestory.corpus.verify import PairEvidence, verify
    from samestory.embed.base import Encoder, get_encoder
    from samestory.errors import (
        DataError,
        EmptyArticleError,
        InputError,
        MissingDependencyError,
        ModelError,
        OutputError,
        ReadError,
        RecordError,
        SamestoryError,
        SchemaVersionError,
        StoreError,
    )
    from samestory.index import Index
    from samestory.ingest.build import from_text
    from samestory.ingest.options import ReadOptions
    from samestory.ingest.readers import load, read_paths
    from samestory.match.score import Match, score_pair


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'samestory' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
