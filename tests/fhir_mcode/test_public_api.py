"""The public surface of rvlms.fhir is its small __all__ (style lesson: small __all__)."""

from __future__ import annotations

import importlib

import rvlms.fhir


def test_public_surface() -> None:
    exported = rvlms.fhir.__all__
    assert len(exported) == len(set(exported))
    assert all(hasattr(rvlms.fhir, name) for name in exported)
    own = {
        name
        for name, value in vars(rvlms.fhir).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and str(getattr(value, "__module__", "")).startswith("rvlms.fhir")
    }
    assert own <= set(exported), sorted(own - set(exported))
