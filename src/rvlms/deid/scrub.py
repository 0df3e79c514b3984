"""The declared free-text scrubber for the text fields researchers still see.

Patterns are applied in a fixed order, each replacing what it finds by a bracketed tag, so
a researcher sees that something was removed and what kind of thing it was:

====================  ==========  ==========================================================
what                  becomes     examples
====================  ==========  ==========================================================
the patient's own     ``[NAME]``  the name and each part of it, the record number and the
identifiers           ``[ID]``    birth date of the case being shown, wherever they appear
e-mail addresses      ``[EMAIL]`` ``qb@example.org``
web addresses         ``[URL]``   ``https://…``, ``www.…``
IP addresses          ``[IP]``    ``192.0.2.10``
dates                 ``[DATE]``  ``2019-07-23``, ``23/07/2019``, ``23 July 2019``,
                                  ``July 23, 2019``, ``Jul 2019`` (a year alone is kept)
social security no.   ``[ID]``    ``123-45-6789``
telephone and fax     ``[PHONE]`` ``415-555-0199``, ``+44 20 7946 0958``, ``(021) 6404 1990``
labelled numbers      ``[ID]``    ``MRN 99887766``, ``record no. A-1234``, ``NHS 943 476``
long numbers          ``[ID]``    six digits or more, or letters with five digits or more
street addresses      ``[ADDRESS]`` ``12 Baker Street``
ZIP codes             ``[ZIP]``   ``94110``, ``94110-1234``
names after a title   ``[NAME]``  ``Dr Quentin Blackwood``, ``Mrs. Roe``, ``Prof. Wang``
====================  ==========  ==========================================================

HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)) names these identifier types; the patterns
follow the de-identification regular expressions of PhysioNet's ``deid`` tool (Neamatullah
2008, BMC Med Inform Decis Mak 8:32), simplified to the short texts of the case record.
A pattern scrubber cannot recognise every name, which is why narrative fields are dropped
rather than scrubbed (see ``rvlms.deid.policy``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SCRUB_PATTERNS", "KnownIdentifiers", "ScrubPattern", "scrub_text"]

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_TITLES = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Nurse|Sr|Rev)"
_NAME = r"[A-Z](?:[a-z]|'[A-Z])[\w'\-]*"


@dataclass(frozen=True)
class ScrubPattern:
    """One kind of identifier: what it is, its tag and its regular expression."""

    what: str
    tag: str
    regex: re.Pattern[str]


def _p(what: str, tag: str, pattern: str, flags: int = re.IGNORECASE) -> ScrubPattern:
    return ScrubPattern(what, tag, re.compile(pattern, flags))


SCRUB_PATTERNS: tuple[ScrubPattern, ...] = (
    _p("e-mail address", "[EMAIL]", r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+"),
    _p("web address", "[URL]", r"\b(?:https?://|www\.)\S+"),
    _p("IP address", "[IP]", r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),
    _p("ISO date", "[DATE]", r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}[0-9:.+\-Z]*)?"),
    _p("numeric date", "[DATE]", r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b"),
    _p(
        "written date",
        "[DATE]",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:\s*,?\s*\d{{2,4}})?",
    ),
    _p("written date", "[DATE]", rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s*,?\s*\d{{4}})?\b"),
    _p("month and year", "[DATE]", rf"\b{_MONTHS}\s+\d{{4}}\b"),
    _p("social security number", "[ID]", r"\b\d{3}-\d{2}-\d{4}\b"),
    _p(
        "street address",
        "[ADDRESS]",
        r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|"
        r"Boulevard|Blvd|Drive|Dr|Way|Place|Pl|Court|Ct)\b\.?",
        0,
    ),
    _p("ZIP code", "[ZIP]", r"\b\d{5}(?:-\d{4})?\b"),
    _p(
        "telephone or fax number",
        "[PHONE]",
        r"(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,4}\)[\s.\-]?)?\b\d{2,4}(?:[\s.\-]\d{2,4}){1,3}\b",
    ),
    _p(
        "labelled number",
        "[ID]",
        r"\b(?:MRN|MR|record|hospital|patient|chart|account|acct|NHS|SSN|ID|no|number|"
        r"licen[cs]e|serial|policy|member)\b\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*"
        r"[A-Z]*[\-]?\d[\w\-]*",
    ),
    _p("long number", "[ID]", r"\b[A-Z]*\d{5,}[\w\-]*\b|\b\d{6,}\b"),
    _p(
        "name after a title",
        "[NAME]",
        rf"\b{_TITLES}\b\.?\s+{_NAME}(?:\s+{_NAME}){{0,2}}",
        0,
    ),
)
"""The scrubber's patterns, in the order they are applied."""


@dataclass(frozen=True)
class KnownIdentifiers:
    """The identifiers of the case being shown, removed wherever they appear."""

    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[dt.date, ...] = ()

    @classmethod
    def of(
        cls, name: str | None, record_number: str | None, birth: dt.date | None
    ) -> KnownIdentifiers:
        parts = [name] if name else []
        parts += [p for p in re.split(r"[\s,]+", name or "") if len(p) >= 2]
        numbers = [record_number] if record_number else []
        numbers += re.findall(r"\d{3,}", record_number or "")
        return cls(tuple(parts), tuple(numbers), (birth,) if birth else ())

    def patterns(self) -> Sequence[tuple[re.Pattern[str], str]]:
        found: list[tuple[re.Pattern[str], str]] = []
        for number in sorted(set(self.numbers), key=len, reverse=True):
            found.append((re.compile(re.escape(number), re.IGNORECASE), "[ID]"))
        for name in sorted(set(self.names), key=len, reverse=True):
            found.append((re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), "[NAME]"))
        for when in self.dates:
            for text in _date_spellings(when):
                found.append((re.compile(re.escape(text), re.IGNORECASE), "[DATE]"))
        return found


def _date_spellings(when: dt.date) -> Iterable[str]:
    yield when.isoformat()
    yield f"{when.day:02d}/{when.month:02d}/{when.year}"
    yield f"{when.month:02d}/{when.day:02d}/{when.year}"
    yield f"{when.day}/{when.month}/{when.year}"
    yield f"{when.day:02d}.{when.month:02d}.{when.year}"


def scrub_text(text: str, known: KnownIdentifiers | None = None) -> str:
    """``text`` with every identifier the scrubber recognises replaced by its tag."""
    for regex, tag in known.patterns() if known else ():
        text = regex.sub(tag, text)
    for pattern in SCRUB_PATTERNS:
        text = pattern.regex.sub(pattern.tag, text)
    return text
