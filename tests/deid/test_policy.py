"""The field policy covers every field of the case record, and the docs are generated
from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rvlms.case import Case
from rvlms.deid import SafeHarbor, Treatment, policy_table
from rvlms.deid.docs import markdown
from rvlms.deid.fields import CaseField, FieldKind, case_fields
from rvlms.deid.policy import SAFE_HARBOR, rule_for
from rvlms.settings import load_settings

from .corpus import text_paths

ROOT = Path(__file__).resolve().parents[2]

FINDING_FIELDS = (
    "centre",
    "preoperative.alpha_blocker",
    "labs.hormones.acth.unit",
    "mdt.disciplines",
    "neoadjuvant[].regimen",
    "adjuvant[].regimen",
    "pathology.histology",
)
"""The seven free-text fields researchers used to see as typed."""


def test_every_field_has_a_rule() -> None:
    table = policy_table()
    assert len(table) == len(case_fields()) > 150
    kinds = {field.kind for field, _ in table}
    assert FieldKind.text in kinds and FieldKind.date in kinds


def test_no_free_text_or_date_reaches_researchers_as_typed() -> None:
    """Every text field is dropped, scrubbed or pseudonymised (schema_version, a constant,
    is the only text kept); every date is dropped or shifted."""
    for field, rule in policy_table():
        if field.kind in (FieldKind.text, FieldKind.texts) and field.path != "schema_version":
            assert rule.treatment in (Treatment.drop, Treatment.scrub, Treatment.pseudonymise)
        if field.kind is FieldKind.date:
            assert rule.treatment in (Treatment.drop, Treatment.shift_date), field.path
    assert set(text_paths()) >= set(FINDING_FIELDS) - {"labs.hormones.acth.unit"}


@pytest.mark.parametrize("path", FINDING_FIELDS)
def test_the_seven_leaking_fields_are_scrubbed(path: str) -> None:
    (field,) = [f for f in case_fields() if f.path == path]
    assert rule_for(field).treatment is Treatment.scrub


def test_a_text_field_without_a_rule_is_refused() -> None:
    field = CaseField("operation.surgeon", Case, "surgeon", FieldKind.text, "Surgeon")
    with pytest.raises(LookupError, match=r"operation\.surgeon: a text field needs a"):
        rule_for(field)


def test_safe_harbor_lists_all_eighteen_identifiers() -> None:
    """45 CFR 164.514(b)(2)(i) (A) to (R)."""
    assert [h.name for h in SafeHarbor] == list("ABCDEFGHIJKLMNOPQR")
    assert set(SAFE_HARBOR) == set(SafeHarbor)
    assert all(SAFE_HARBOR[h].strip() for h in SafeHarbor)


def test_committed_docs_are_generated_from_the_policy() -> None:
    """docs/deidentification.md must equal `python -m rvlms.deid.docs` (regenerate it after
    changing the policy or the scrubber)."""
    committed = (ROOT / "docs" / "deidentification.md").read_text(encoding="utf-8")
    assert committed == markdown()
    for field, rule in policy_table():
        assert f"| `{field.path}` |" in committed
        assert rule.treatment.value in committed
    for item in SafeHarbor:
        assert f"| ({item.name}) | {item.value} |" in committed


def test_production_needs_a_pseudonym_key() -> None:
    with pytest.raises(ValidationError, match="RVLMS_DEID_KEY must be set in production"):
        load_settings(environment="production", secret_key="a-real-secret-0123456789")
    chosen = load_settings(
        environment="production",
        secret_key="a-real-secret-0123456789",
        deid_key="k" * 32,
        deid_dates="year-month",
    )
    assert chosen.deid_dates == "year-month" and chosen.deid_shift_max_days == 182


def test_public_surface() -> None:
    """As tests/test_docs.py checks the other packages: ``__all__`` is complete."""
    import importlib

    module = importlib.import_module("rvlms.deid")
    exported = module.__all__
    assert len(exported) == len(set(exported))
    for name in exported:
        assert hasattr(module, name), name
    own = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and str(getattr(value, "__module__", "")).startswith("rvlms.deid")
    }
    assert own <= set(exported), sorted(own - set(exported))
