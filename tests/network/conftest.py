"""Synthetic multi-centre cohorts: each centre's table from ``rvlms.synth.synthesize``
with its own seed and case-id prefix, so that their union is a valid single-site table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from rvlms.network import NodePolicy
from rvlms.synth import synthesize

Centre = tuple[NodePolicy, pd.DataFrame]


def centre_frame(name: str, n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic patients of centre ``name`` (case ids prefixed by the name)."""
    frame = synthesize(n, seed=seed)
    frame["case_id"] = [f"{name}-{case_id}" for case_id in frame["case_id"]]
    frame["centre"] = name
    return frame


def network(
    sizes: Sequence[int],
    *,
    seed: int = 11,
    min_cell: int = 1,
    times: str = "exact",
    edit: Callable[[int, pd.DataFrame], pd.DataFrame] | None = None,
) -> list[Centre]:
    """Centres A, B, C... of the given sizes, exact times unless told otherwise."""
    out: list[Centre] = []
    for i, n in enumerate(sizes):
        name = chr(ord("A") + i)
        frame = centre_frame(name, n, seed + i)
        if edit is not None:
            frame = edit(i, frame).reset_index(drop=True)
        policy = NodePolicy.model_validate(
            {"centre": name, "registry": "unused", "min_cell": min_cell, "times": times}
        )
        out.append((policy, frame))
    return out


def pooled(centres: Sequence[Centre]) -> pd.DataFrame:
    """The union of the centres' tables: what a single-site analysis would see."""
    return pd.concat([frame for _, frame in centres], ignore_index=True)
