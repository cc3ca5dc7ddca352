"""Key look-ups in the store's ``bands`` table: how many articles hold a key, and which articles share keys
with a document (candidate search of a stored corpus, `samestory.index`).

Both read through `Store.select`, so they see exactly what the store's transactions committed.
"""

from __future__ import annotations

from collections.abc import Sequence

from samestory.store import Store
from samestory.store_rows import as_int


def posting_sizes(
    store: Store, keys: Sequence[bytes], cap: int, within: tuple[float, float] | None = None
) -> list[int]:
    """For each key, how many stored articles have it (only dated ones published in ``within``,
    ``[earliest, end)``, when given), counted up to ``cap + 1`` (a bounded look-up)."""
    if within is None:
        sql = "SELECT count(*) FROM (SELECT 1 FROM bands WHERE key = ? LIMIT ?)"
        return [as_int(store.select(sql, (k, cap + 1))[0][0]) for k in keys]
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM bands b JOIN articles a ON a.doc = b.doc "
        "WHERE b.key = ? AND a.published_ts >= ? AND a.published_ts < ? LIMIT ?)"
    )
    return [as_int(store.select(sql, (k, within[0], within[1], cap + 1))[0][0]) for k in keys]


def shared_keys(
    store: Store,
    groups: Sequence[Sequence[bytes]],
    *,
    window: tuple[float, float] | None = None,
    exclude: str | None = None,
    group_within: Sequence[tuple[float, float] | None] = (),
) -> list[tuple[str, list[int]]]:
    """Every stored article sharing at least one of the keys, with how many keys of each group it shares;
    within ``window`` when given; a key of group ``g`` counts only for dated articles published within
    ``group_within[g]`` (``[earliest, end)``) when that is given.

    ``window`` is ``(earliest, latest)`` POSIX timestamps; articles with no date are always included
    (nothing says they are out of the window).
    """
    pairs = [(k, g) for g, keys in enumerate(groups) for k in keys]
    if not pairs:
        return []
    values = ",".join("(?, ?)" for _ in pairs)
    sums = ", ".join(f"sum(q.g = {g})" for g in range(len(groups)))
    sql = (
        f"WITH q(key, g) AS (VALUES {values}) SELECT a.id, {sums} FROM q "
        "JOIN bands b ON b.key = q.key JOIN articles a ON a.doc = b.doc WHERE 1"
    )
    params: list[object] = [x for p in pairs for x in p]
    if window is not None:
        sql += " AND (a.published_ts IS NULL OR a.published_ts BETWEEN ? AND ?)"
        params += [window[0], window[1]]
    if exclude is not None:
        sql += " AND a.id != ?"
        params.append(exclude)
    for g, within in enumerate(group_within):
        if within is not None:
            sql += f" AND (q.g != {g} OR (a.published_ts >= ? AND a.published_ts < ?))"
            params += [within[0], within[1]]
    sql += " GROUP BY b.doc"
    return [(str(r[0]), [as_int(x) for x in r[1:]]) for r in store.select(sql, params)]
