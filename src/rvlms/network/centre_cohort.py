"""A centre's cohort table, read from its own registry and kept while the registry is unchanged.

A node answers several queries per analysis (the summary, then each Cox round), and
reading and validating thousands of case documents costs more than answering them. The
table is therefore kept in the node's memory - it never leaves the centre - with the
registry's :meth:`~rvlms.registry.Registry.stamp`, and read again as soon as the stamp
differs: a case added, corrected or deleted between two queries is in the next answer.
The stamp is read before the table, so a write racing the read makes the next query read
again rather than keep a stale table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from rvlms.network.policy import NodePolicy

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["forget_cohorts", "load_centre_cohort"]

_KEPT: Final[int] = 4

_Key = tuple[str, bool | None, str | None, str | None, str | None]
_cache: dict[_Key, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def _key(policy: NodePolicy) -> _Key:
    return (policy.registry, policy.synthetic, policy.imaging_type, policy.ivc_level, policy.sex)


def load_centre_cohort(policy: NodePolicy) -> pd.DataFrame:
    """The centre's cohort table after its inclusion filter, read from its own registry."""
    from rvlms.registry import Registry
    from rvlms.registry.engine import check_url

    url = check_url(policy.registry, must_exist=True)
    key = _key(policy)
    with Registry(url, migrate=False) as registry:
        stamp = registry.stamp()
        kept = _cache.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1].copy()
        frame = registry.cohort_frame(
            synthetic=policy.synthetic,
            imaging_type=policy.imaging_type,
            ivc_level=policy.ivc_level,
            sex=policy.sex,
        )
    _cache.pop(key, None)
    while len(_cache) >= _KEPT:
        _cache.pop(next(iter(_cache)))
    _cache[key] = (stamp, frame)
    return frame.copy()


def forget_cohorts() -> None:
    """Drop every kept table (the next query reads its registry again)."""
    _cache.clear()
