"""The public surface of ``rvlms.cds``."""

from __future__ import annotations

from pathlib import Path

import rvlms.cds as cds
from rvlms.settings import Settings

EXPECTED = {
    "PREFETCH",
    "SERVICE_ID",
    "Card",
    "CaseMapping",
    "CdsEvent",
    "CdsRequest",
    "CdsResponse",
    "FeedbackRequest",
    "JwtVerifier",
    "Launch",
    "LaunchStore",
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


def test_every_cds_setting_is_documented() -> None:
    """docs/cds.md names every CDS configuration key as its environment variable."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cds.md").read_text("utf-8")
    keys = [name for name in Settings.model_fields if name.startswith("cds_") or name == "demo"]
    assert len(keys) >= 6
    for name in keys:
        assert f"`RVLMS_{name.upper()}`" in docs, name
