"""The field-by-field de-identification policy: one table that every researcher-facing
output obeys (web pages, REST API, exports, cohort statistics) and the docs are generated
from.

Each field of the case record has a HIPAA Safe Harbor category, when it can hold one of the
18 identifiers of 45 CFR 164.514(b)(2)(i), and a treatment for researchers. Fields not
named in :data:`RULES` are coded values (numbers, yes/no, choices from a vocabulary) that
cannot carry a name, a number or a date, and are kept; a text or date field without a rule
is a programming error that :func:`rule_for` refuses, so a new free-text field cannot
reach researchers unnoticed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from rvlms.deid.fields import CaseField, FieldKind, case_fields

__all__ = [
    "OLDEST_REPORTED_AGE",
    "REMOVED",
    "RULES",
    "SAFE_HARBOR",
    "TEXT_BORNE",
    "FieldRule",
    "SafeHarbor",
    "Treatment",
    "policy_table",
    "rule_for",
]

OLDEST_REPORTED_AGE = 90
"""Ages above 89 are reported as 90 ("90 or older"), 45 CFR 164.514(b)(2)(i)(C)."""


class Treatment(enum.StrEnum):
    """What happens to a field before a researcher sees it."""

    keep = "keep"
    drop = "drop"
    pseudonymise = "pseudonymise"
    shift_date = "shift date"
    top_code = "top-code"
    scrub = "scrub free text"


class SafeHarbor(enum.StrEnum):
    """The 18 identifiers of HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(A)-(R)."""

    A = "Names"
    B = "Geographic subdivisions smaller than a state"
    C = "All elements of dates (except year) related to an individual; ages over 89"
    D = "Telephone numbers"
    E = "Fax numbers"
    F = "E-mail addresses"
    G = "Social security numbers"
    H = "Medical record numbers"
    I = "Health plan beneficiary numbers"  # noqa: E741
    J = "Account numbers"
    K = "Certificate/licence numbers"
    L = "Vehicle identifiers and serial numbers"
    M = "Device identifiers and serial numbers"
    N = "Web URLs"
    O = "IP addresses"  # noqa: E741
    P = "Biometric identifiers"
    Q = "Full-face photographs and comparable images"
    R = "Any other unique identifying number, characteristic or code"


SAFE_HARBOR: dict[SafeHarbor, str] = {
    SafeHarbor.A: "identity.name is dropped; names in kept free text are replaced by [NAME] "
    "(the patient's own name wherever it appears, any name after a title such as Dr, Mr, Mrs, "
    "Prof); narrative fields are dropped",
    SafeHarbor.B: "the record holds no address; street addresses and ZIP codes in kept free "
    "text become [ADDRESS] and [ZIP]",
    SafeHarbor.C: "birth date dropped (age at diagnosis kept); other dates shifted by a "
    "per-patient offset or cut to year and month (exports), shown as the year only (web and "
    "API views); ages above 89 shown as 90 in every view and statistic; dates in kept free "
    "text become [DATE]",
    SafeHarbor.D: "no telephone field; numbers in kept free text become [PHONE]",
    SafeHarbor.E: "no fax field; numbers in kept free text become [PHONE]",
    SafeHarbor.F: "no e-mail field; addresses in kept free text become [EMAIL]",
    SafeHarbor.G: "no SSN field; SSN-shaped numbers in kept free text become [ID]",
    SafeHarbor.H: "identity.medical_record_number is dropped; the patient's own record number "
    "and labelled or long numbers in kept free text become [ID]; case ids in exports and "
    "cohort tables are keyed pseudonyms (HMAC-SHA256)",
    SafeHarbor.I: "no such field; labelled numbers in kept free text become [ID]",
    SafeHarbor.J: "no such field; labelled numbers in kept free text become [ID]",
    SafeHarbor.K: "no such field; labelled numbers in kept free text become [ID]",
    SafeHarbor.L: "no such field; long numbers in kept free text become [ID]",
    SafeHarbor.M: "no such field (implant materials are a vocabulary, without serial numbers); "
    "long numbers in kept free text become [ID]",
    SafeHarbor.N: "no such field; URLs in kept free text become [URL]",
    SafeHarbor.O: "no such field in the record (the audit trail, which holds client "
    "addresses, is not shown to researchers); IP addresses in kept free text become [IP]",
    SafeHarbor.P: "no such field",
    SafeHarbor.Q: "the record holds imaging findings as coded values, never images",
    SafeHarbor.R: "the case id is replaced by a keyed pseudonym in exports and cohort tables; "
    "free-text fields that could hold any other code are dropped or scrubbed",
}
"""How rvlms handles each Safe Harbor identifier."""


@dataclass(frozen=True)
class FieldRule:
    """The treatment of one field for researchers, with the reason."""

    treatment: Treatment
    why: str
    safe_harbor: tuple[SafeHarbor, ...] = ()


_NARRATIVE = (
    "narrative text can name people and events; dropped, as REDCap's de-identified export "
    "drops free text"
)
_SCRUB = "short coded-like text kept for analysis, passed through the scrubber"
_DATE = FieldRule(
    Treatment.shift_date,
    "exports: shifted by the patient's offset (intervals kept) or cut to year and month; "
    "web and API views: year only",
    (SafeHarbor.C,),
)
TEXT_BORNE: tuple[SafeHarbor, ...] = tuple(
    h for h in SafeHarbor if h not in (SafeHarbor.P, SafeHarbor.Q)
)
"""What any free text can hold: every identifier that can be typed."""
_SCRUBBED = FieldRule(Treatment.scrub, _SCRUB, TEXT_BORNE)
_DROPPED = FieldRule(Treatment.drop, _NARRATIVE, TEXT_BORNE)

_UNITS = tuple(
    f"labs.hormones.{test}.unit"
    for test in (
        "plasma_free_metanephrines",
        "urine_fractionated_metanephrines",
        "plasma_catecholamines",
        "urine_vma_24h",
        "acth",
        "cortisol_rhythm",
        "dexamethasone_suppression",
        "renin_aldosterone_standing",
        "renin_aldosterone_recumbent",
    )
)

RULES: dict[str, FieldRule] = {
    "schema_version": FieldRule(Treatment.keep, "version of the record format, not about a person"),
    "case_id": FieldRule(
        Treatment.pseudonymise,
        "exports and cohort tables carry a keyed HMAC-SHA256 pseudonym (same patient, same "
        "pseudonym; not reversible without the key); web and API views keep the registry id "
        "to link pages",
        (SafeHarbor.H, SafeHarbor.R),
    ),
    "centre": FieldRule(
        Treatment.scrub,
        "needed to analyse a network of centres; free text, so scrubbed",
        TEXT_BORNE,
    ),
    "source": FieldRule(
        Treatment.drop,
        "provenance note; may cite a chart or a person",
        TEXT_BORNE,
    ),
    "identity.name": FieldRule(Treatment.drop, "direct identifier", (SafeHarbor.A,)),
    "identity.medical_record_number": FieldRule(
        Treatment.drop, "direct identifier", (SafeHarbor.H,)
    ),
    "identity.birth_date": FieldRule(
        Treatment.drop, "date element; age at diagnosis is kept instead", (SafeHarbor.C,)
    ),
    "demographics.age_years": FieldRule(
        Treatment.top_code,
        f'ages above 89 are reported as {OLDEST_REPORTED_AGE} ("{OLDEST_REPORTED_AGE} or older")',
        (SafeHarbor.C,),
    ),
    "presentation.diagnosis_date": _DATE,
    **{unit: _SCRUBBED for unit in _UNITS},
    "preoperative.alpha_blocker": _SCRUBBED,
    "imaging.studies[].date": _DATE,
    "biopsy.date": _DATE,
    "biopsy.complication": _DROPPED,
    "mdt.date": _DATE,
    "mdt.disciplines": _SCRUBBED,
    "mdt.notes": _DROPPED,
    "neoadjuvant[].regimen": _SCRUBBED,
    "neoadjuvant[].start_date": _DATE,
    "neoadjuvant[].end_date": _DATE,
    "neoadjuvant[].reason": _DROPPED,
    "operation.date": _DATE,
    "operation.conversion_reason": _DROPPED,
    "pathology.histology": _SCRUBBED,
    "complications[].description": _DROPPED,
    "adjuvant[].regimen": _SCRUBBED,
    "adjuvant[].start_date": _DATE,
    "adjuvant[].end_date": _DATE,
    "adjuvant[].reason": _DROPPED,
    "follow_up.last_contact_date": _DATE,
    "follow_up.events[].date": _DATE,
    "follow_up.events[].management": _DROPPED,
    "notes": _DROPPED,
}
"""Every field that is not simply kept, by path."""

_CODED = FieldRule(Treatment.keep, "coded value: cannot hold a name, a number or a date")
_FREE_KINDS = (FieldKind.text, FieldKind.texts, FieldKind.date)


def rule_for(field: CaseField) -> FieldRule:
    """The rule of one field; a text or date field must have an explicit rule."""
    rule = RULES.get(field.path)
    if rule is not None:
        return rule
    if field.kind in _FREE_KINDS:
        raise LookupError(
            f"{field.path}: a {field.kind.value} field needs a de-identification rule in "
            "rvlms.deid.policy.RULES (keep, drop, pseudonymise, shift date, top-code or "
            "scrub free text)"
        )
    return _CODED


@cache
def policy_table() -> tuple[tuple[CaseField, FieldRule], ...]:
    """Every field of the case record with its rule, in declaration order."""
    return tuple((field, rule_for(field)) for field in case_fields())


@cache
def required_paths() -> frozenset[str]:
    """Paths of fields a valid case must have (a dropped one is replaced by
    :data:`REMOVED` in exports)."""
    return frozenset(f.path for f in case_fields() if f.required)


REMOVED = "[removed]"
"""What a dropped field that the record requires holds in an export."""


@cache
def paths_with(treatment: Treatment) -> frozenset[str]:
    """The paths of every field with ``treatment``."""
    return frozenset(f.path for f, r in policy_table() if r.treatment is treatment)
