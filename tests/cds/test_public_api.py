"""The public surface of ``rvlms.cds``."""

from __future__ import annotations

import rvlms.cds as cds

EXPECTED = {
    "PREFETCH",
    "SERVICE_ID",
    "Card",
    "CaseMapping",
    "CdsRequest",
    "CdsResponse",
    "FeedbackRequest",
    "create_router",
    "map_prefetch",
    "plan_cards",
    "read_feedback",
    "read_prefetch",
    "record_feedback",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(cds.__all__) == EXPECTED
    assert len(cds.__all__) == len(EXPECTED)
    for name in cds.__all__:
        assert getattr(cds, name) is not None


def test_nothing_public_is_left_out_of_all() -> None:
    public = {n for n in vars(cds) if not n.startswith("_") and n != "annotations"}
    submodules = {n for n in public if isinstance(getattr(cds, n), type(cds))}
    assert public - submodules <= set(cds.__all__)
