"""The free-text scrubber: a truth table of what it removes and what it keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rvlms.deid import KnownIdentifiers, scrub_text

from .corpus import PLANTED, leaks

KNOWN = KnownIdentifiers.of("Zelda Okonkwo", "MRN-99887766", dt.date(1931, 3, 14))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # dates: every element but the year goes (45 CFR 164.514(b)(2)(i)(C))
        ("seen 2019-07-23", "seen [DATE]"),
        ("seen 23/07/2019 and 7.3.21", "seen [DATE] and [DATE]"),
        ("on 23 July 2019", "on [DATE]"),
        ("on July 23, 2019", "on [DATE]"),
        ("since Jul 2019", "since [DATE]"),
        ("since 2019", "since 2019"),
        ("born 14/03/1931", "born [DATE]"),
        # contact details
        ("tel 415-555-0199", "tel [PHONE]"),
        ("call +44 20 7946 0958", "call [PHONE]"),
        ("fax (021) 6404 1990", "fax [PHONE]"),
        ("qb.clinic@example.org", "[EMAIL]"),
        ("see https://clinic.example.org/p/1", "see [URL]"),
        ("from 192.0.2.10", "from [IP]"),
        ("lives at 12 Baker Street", "lives at [ADDRESS]"),
        # numbers
        ("MRN 12345678", "[ID]"),
        ("MRN-99887766 again", "[ID] again"),
        ("record no. A-1234", "[ID]"),
        ("chart 4471902", "[ID]"),
        ("hospital number 4471902", "[ID]"),
        ("SSN 123-45-6789", "SSN [ID]"),
        ("ZIP 94110", "ZIP [ZIP]"),
        # names: the patient's own, and any after a title
        ("Zelda Okonkwo's daughter", "[NAME]'s daughter"),
        ("Mrs OKONKWO", "Mrs [NAME]"),
        ("Dr Quentin Blackwood", "[NAME]"),
        ("seen by Prof. Wang Li", "seen by [NAME]"),
        ("Mr. Roe and Ms Doe", "[NAME] and [NAME]"),
        # clinical text is left alone
        ("doxorubicin 75 mg/m2 x 6 cycles", "doxorubicin 75 mg/m2 x 6 cycles"),
        ("doxorubicin–trabectedin", "doxorubicin–trabectedin"),
        ("nmol/L", "nmol/L"),
        ("µg/24 h", "µg/24 h"),
        ("phenoxybenzamine 10 mg twice daily", "phenoxybenzamine 10 mg twice daily"),
        ("leiomyosarcoma, FNCLCC grade 2", "leiomyosarcoma, FNCLCC grade 2"),
        ("vascular surgery", "vascular surgery"),
        ("Zhongshan Hospital, Fudan University", "Zhongshan Hospital, Fudan University"),
    ],
)
def test_scrubber(text: str, expected: str) -> None:
    assert scrub_text(text, KNOWN) == expected


def test_planted_text_loses_every_identifier() -> None:
    shown = scrub_text(PLANTED, KNOWN)
    assert leaks(shown) == []
    assert "[NAME]" in shown and "[DATE]" in shown and "[PHONE]" in shown


_WORDS = st.sampled_from(
    ["leiomyosarcoma", "nmol/L", "doxorubicin", "grade II", "vascular surgery", "IVC", "R0"]
)
_IDENTIFIERS = st.one_of(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2030, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2030, 12, 31)).map(
        lambda d: d.strftime("%B %d, %Y")
    ),
    st.integers(min_value=2_000_000, max_value=9_999_999).map(
        lambda n: f"{n // 10000}-{n % 10000:04d}"
    ),
    st.from_regex(r"[a-z]{3,8}@[a-z]{3,8}\.org", fullmatch=True),
    st.integers(min_value=100000, max_value=99999999).map(lambda n: f"MRN {n}"),
    st.from_regex(r"(Dr|Mrs|Prof) [A-Z][a-z]{2,8}", fullmatch=True),
)


@settings(max_examples=150, derandomize=True, database=None)
@given(_WORDS, _IDENTIFIERS, _WORDS)
@example("nmol/L", "July 04, 2019", "IVC")
@example("doxorubicin", "Dr Smith", "grade 2")
def test_identifiers_between_clinical_words_are_removed(
    before: str, identifier: str, after: str
) -> None:
    shown = scrub_text(f"{before} {identifier} {after}")
    assert identifier not in shown
    assert shown.startswith(before) and shown.endswith(after)
