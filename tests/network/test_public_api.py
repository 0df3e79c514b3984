"""The public surface of rvlms.network: a small ``__all__``, every name present."""

from __future__ import annotations

import importlib

import rvlms.network


def test_public_surface_is_exported() -> None:
    exported = rvlms.network.__all__
    assert len(exported) == len(set(exported))
    assert all(hasattr(rvlms.network, name) for name in exported)
    own = {
        name
        for name, value in vars(rvlms.network).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and str(getattr(value, "__module__", "")).startswith("rvlms.network")
    }
    assert own <= set(exported), sorted(own - set(exported))
