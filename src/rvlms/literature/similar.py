"""Published cases like this one: a simple, explained nearest-neighbour search.

The features are the ones an MDT compares first: the vessel of origin, the IVC level, the
imaging type, the tumour thrombus, the organs involved and the size. Each contributes a fixed
weight when it matches; the list says which features matched, so nobody has to trust a score.
Cases whose feature is not known neither gain nor lose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from rvlms.case import Case
from rvlms.case.vocab import GONADAL_VEINS, ILIAC_VEINS, InvolvementExtent, Vessel
from rvlms.imaging import Classification, classify
from rvlms.literature.entry import PublishedCase
from rvlms.literature.library import CORPUS_LABEL

WEIGHTS = {
    "vessel of origin": 3.0,
    "IVC level": 2.0,
    "imaging type": 1.0,
    "tumour thrombus": 1.0,
    "organs involved": 2.0,
    "size": 1.0,
}
_INVOLVING = {InvolvementExtent.adhesion, InvolvementExtent.invasion, InvolvementExtent.encasement}


class Features(BaseModel):
    model_config = ConfigDict(frozen=True)

    origin: str | None
    level: str | None
    imaging_type: str | None
    thrombus: bool | None
    organs: frozenset[str] | None
    size_cm: float | None


class PublishedSummary(BaseModel):
    """One published case in a line: the tumour, what the team did and how the patient did."""

    model_config = ConfigDict(frozen=True)

    id: str
    citation: str
    doi: str | None
    url: str | None
    summary: str = Field(description="Vessel, level and size of the published case")
    done: dict[str, str] = Field(description="What the team did, per decision")
    outcome: str

    @classmethod
    def of(cls, entry: PublishedCase, **extra: object) -> Self:
        return cls(**_line(entry), **extra)


class SimilarCase(PublishedSummary):
    """One neighbour: the published case and why it was chosen."""

    score: float
    matched: list[str] = Field(description="The features that matched, in words")
    label: str = CORPUS_LABEL


def features(case: Case, classification: Classification | None = None) -> Features:
    imaging = case.imaging
    origin = imaging.vessel_of_origin
    if origin in GONADAL_VEINS:
        origin = Vessel.gonadal_vein
    elif origin in ILIAC_VEINS:
        origin = Vessel.iliac_vein
    elif origin is Vessel.adrenal_gland:
        origin = Vessel.adrenal_vein
    c = classification or classify(case)
    organs = frozenset(o.organ.value for o in imaging.organs if o.extent in _INVOLVING)
    read = bool(organs) or imaging.involvement_assessed
    return Features(
        origin=None if origin in (None, Vessel.unknown) else origin.value,
        level=c.ivc_level.value
        if c.ivc_level
        else ("none" if imaging.ivc_involved is False else None),
        imaging_type=c.imaging_type.value if c.imaging_type else None,
        thrombus=True
        if imaging.tumour_thrombus
        else (False if imaging.no_tumour_thrombus else None),
        organs=organs if read else None,
        size_cm=imaging.max_diameter_cm,
    )


def _compare(mine: Features, theirs: Features) -> tuple[float, list[str]]:
    score, matched = 0.0, []
    for name, a, b in (
        ("vessel of origin", mine.origin, theirs.origin),
        ("IVC level", mine.level, theirs.level),
        ("imaging type", mine.imaging_type, theirs.imaging_type),
        ("tumour thrombus", mine.thrombus, theirs.thrombus),
    ):
        if a is not None and a == b:
            score += WEIGHTS[name]
            value = {True: "present", False: "absent"}.get(a, str(a)) if isinstance(a, bool) else a
            matched.append(f"{name}: {str(value).replace('_', ' ')}")
    if mine.organs is not None and theirs.organs is not None:
        union = mine.organs | theirs.organs
        if not union:
            score += WEIGHTS["organs involved"]
            matched.append("organs involved: none")
        elif mine.organs & theirs.organs:
            share = len(mine.organs & theirs.organs) / len(union)
            score += WEIGHTS["organs involved"] * share
            shared = ", ".join(sorted(o.replace("_", " ") for o in mine.organs & theirs.organs))
            matched.append(f"organs involved: {shared}")
    if mine.size_cm is not None and theirs.size_cm is not None:
        gap = abs(mine.size_cm - theirs.size_cm)
        if gap <= 3:
            score += WEIGHTS["size"] * (1 - gap / 6)
            matched.append(f"size within 3 cm ({theirs.size_cm:g} cm)")
    return round(score, 2), matched


def _summary(f: Features) -> str:
    parts = [
        (f.origin or "origin not stated").replace("_", " "),
        f"IVC level {f.level}" if f.level not in (None, "none") else "",
        f"{f.size_cm:g} cm" if f.size_cm else "",
    ]
    return ", ".join(p for p in parts if p)


def _outcome(entry: PublishedCase) -> str:
    fu = entry.case.follow_up
    bits = []
    if fu.months_after_surgery is not None:
        bits.append(f"{fu.months_after_surgery:g} months")
    if fu.status is not None:
        bits.append(fu.status.value.replace("_", " "))
    events = [e.kind.value.replace("_", " ") for e in fu.events]
    if events:
        bits.append("; ".join(dict.fromkeys(events)))
    return ", ".join(bits) or "outcome not reported"


def _done(entry: PublishedCase) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in entry.done.known().items():
        if isinstance(value, list):
            words = [getattr(v, "item", v) for v in value]
            out[name] = ", ".join(str(getattr(w, "value", w)) for w in words) or "none"
        else:
            out[name] = str(getattr(value, "value", value))
    return out


_ONCE: dict[int, tuple[PublishedCase, Features, dict[str, Any]]] = {}


def _once(entry: PublishedCase) -> tuple[Features, dict[str, Any]]:
    """A library entry's features and one-line summary, computed once per entry (entries are
    immutable), so a plan pays only for comparing features."""
    known = _ONCE.get(id(entry))
    if known is None or known[0] is not entry:
        found = features(entry.case)
        line = {
            "id": entry.id,
            "citation": entry.citation.text,
            "doi": entry.citation.doi,
            "url": entry.citation.url,
            "summary": _summary(found),
            "done": _done(entry),
            "outcome": _outcome(entry),
        }
        known = _ONCE[id(entry)] = (entry, found, line)
    return known[1], known[2]


def _features_of(entry: PublishedCase) -> Features:
    return _once(entry)[0]


def _line(entry: PublishedCase) -> dict[str, Any]:
    return _once(entry)[1]


def nearest(
    case: Case, others: Iterable[tuple[str, Case]], k: int = 5
) -> list[tuple[float, str, list[str]]]:
    """(score, id, matched features) of the k cases most like ``case`` among ``others`` (for
    example a centre's own registry cases), itself excluded, best first."""
    mine = features(case)
    scored = []
    for case_id, other in others:
        if case_id == case.case_id:
            continue
        score, matched = _compare(mine, features(other))
        if score > 0:
            scored.append((score, case_id, matched))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return scored[:k]


def similar_cases(
    case: Case,
    library: Iterable[PublishedCase],
    k: int = 5,
    classification: Classification | None = None,
) -> list[SimilarCase]:
    """The k published cases most like ``case`` (itself excluded), best first; among equal
    scores, cases that report what the team did come first."""
    mine = features(case, classification)
    scored = []
    for entry in library:
        if entry.id == case.case_id:
            continue
        score, matched = _compare(mine, _features_of(entry))
        if score > 0:
            scored.append((score, entry, matched))
    scored.sort(key=lambda t: (-t[0], not _line(t[1])["done"], t[1].id))
    return [
        SimilarCase.of(entry, score=score, matched=matched) for score, entry, matched in scored[:k]
    ]
