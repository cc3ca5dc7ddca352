"""Connected components of the verified candidate graph: documents linked, directly or through others, by a
selected candidate pair (`bulk.BulkClusterer.selected`) that `verify` calls the same story
(`bulk.BulkClusterer.same_story_links`).

A decision of the online step reads only the candidates that verify as the same story, and the stories they
are in (its regrouping regroups only those stories); a story only ever grows through such links. So every
story lies inside one component, and every decision reads only documents of its own component (a candidate
of another component did not verify: the decision skips it either way). Components can therefore be decided
independently, each in processing order, with the candidates selected over the whole batch. Verified links
are far fewer than candidate pairs: on the generated 100k corpus the largest candidate-graph component held
83% of the articles, the largest verified one a story's few dozen.

>>> components(5, [(1, 0), (4, 3)]).tolist()
[0, 0, 2, 3, 3]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt


def components(n: int, edges: Iterable[tuple[int, int]] | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The component of each of ``n`` nodes of the undirected graph ``edges`` (pairs of node indices), named
    by its smallest node. Min-label propagation along the edges with pointer jumping, until nothing
    changes: a handful of numpy passes for news stories."""
    pairs = np.asarray(list(edges) if not isinstance(edges, np.ndarray) else edges, dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    label = np.arange(n, dtype=np.int64)
    while True:
        new = label.copy()
        np.minimum.at(new, a, label[b])
        np.minimum.at(new, b, label[a])
        new = new[new]  # a label is a node of the same component: follow it
        if np.array_equal(new, label):
            return label
        label = new


def groups(label: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    """The members of each component (ascending), components ordered by their smallest member."""
    order = np.argsort(label, kind="stable")
    ls = label[order]
    cuts = np.flatnonzero(ls[1:] != ls[:-1]) + 1
    return [part.astype(np.int64) for part in np.split(order, cuts)] if label.size else []


__all__ = ["components", "groups"]
