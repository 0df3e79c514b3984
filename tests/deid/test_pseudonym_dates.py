"""Keyed pseudonyms and per-patient date shifts."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rvlms.deid import DatePolicy, DeidPolicy, PseudonymKey, pseudonym
from rvlms.deid.dates import DateShifter
from rvlms.errors import InputError
from rvlms.settings import load_settings

KEY = PseudonymKey(b"deid-tests-key-0123456789abcdef")
CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def test_pseudonym_is_hmac_sha256_of_the_case_id() -> None:
    """RFC 2104 HMAC with SHA-256 over 'case' U+001F id; the first 80 bits in hex."""
    import hmac

    expected = hmac.new(KEY.secret, b"case\x1fzhang2021-case4", hashlib.sha256).hexdigest()
    assert pseudonym(KEY, "zhang2021-case4") == "rv-" + expected[:20]
    assert pseudonym(KEY, "zhang2021-case4") == pseudonym(KEY, "zhang2021-case4")
    plain = hashlib.sha256(b"zhang2021-case4").hexdigest()[:20]
    assert plain not in pseudonym(KEY, "zhang2021-case4")
    other = PseudonymKey(b"another-key-0123456789abcdef")
    assert pseudonym(other, "zhang2021-case4") != pseudonym(KEY, "zhang2021-case4")


@settings(max_examples=60, derandomize=True, database=None)
@given(st.text(min_size=1, max_size=64))
@example("MRN-99887766")
def test_pseudonyms_are_valid_case_ids_without_the_input(value: str) -> None:
    made = pseudonym(KEY, value)
    assert CASE_ID.match(made) and len(made) == 23
    if len(value) > 8:
        assert value not in made


def test_missing_key_gives_a_labelled_demo_key_and_short_keys_are_refused() -> None:
    policy = DeidPolicy.from_settings(load_settings(secret_key="s" * 40))
    assert policy.key.demo
    assert "secret" not in repr(policy.key) and "sss" not in repr(policy.key)
    configured = DeidPolicy.from_settings(load_settings(secret_key="s" * 40, deid_key="k" * 20))
    assert not configured.key.demo
    assert configured.case_pseudonym("a") != policy.case_pseudonym("a")
    with pytest.raises(InputError, match=r"deid_key \(RVLMS_DEID_KEY\): 5 characters"):
        PseudonymKey(b"short")


@settings(max_examples=80, derandomize=True, database=None)
@given(
    st.text(alphabet="abcdefgh0123456789-", min_size=1, max_size=20),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.integers(min_value=0, max_value=4000),
)
@example("zhang2021-case4", dt.date(2020, 6, 10), 250)
def test_shift_keeps_intervals_within_the_window(patient: str, start: dt.date, gap: int) -> None:
    shift = DateShifter.for_patient(KEY, patient, DatePolicy.shift, 182)
    later = start + dt.timedelta(days=gap)
    assert (shift(later) - shift(start)).days == gap
    assert 1 <= abs((shift(start) - start).days) <= 182
    assert DateShifter.for_patient(KEY, patient, DatePolicy.shift, 182) == shift


def test_patients_get_different_shifts_and_year_month_keeps_the_month() -> None:
    offsets = {
        DateShifter.for_patient(KEY, f"case-{i}", DatePolicy.shift, 182).offset_days
        for i in range(50)
    }
    assert len(offsets) > 40 and all(o != 0 for o in offsets)
    month = DateShifter.for_patient(KEY, "case-1", DatePolicy.year_month, 182)
    assert month(dt.date(2020, 6, 10)) == dt.date(2020, 6, 1)
