"""From prefetched FHIR resources to the rvlms case record.

The electronic record rarely holds what the MDT plan needs (IVC level, wall involvement,
patency); it does hold who the patient is, the diagnosis, a few laboratory results and
past operations. This module reads exactly those, through the code table in
:mod:`rvlms.cds.codes`, and records for every resource what was read into which case field
and what was left out, so that the cards can show it.

What is read (codes and their sources: :mod:`rvlms.cds.codes`):

- Patient: ``gender`` → ``demographics.sex`` (female/male, the two values of the CKD-EPI
  2021 equation); ``birthDate`` → ``demographics.age_years`` at the date of the call.
- Condition: leiomyosarcoma (ICD-O-3 8890/3, also in the mCODE histology extension) or a
  primary malignancy of the retroperitoneum / abdominal soft tissue (ICD-10 C48.0, C49.4)
  whose histology is not another tumour (liposarcoma, lymphoma, paraganglioma, ...) puts
  the patient in scope; otherwise the service gives no cards (rvlms proposal: patient-view
  fires on every chart). ``bodySite`` → vessel of origin and side; ``onsetDateTime`` →
  diagnosis date. A Condition names the diagnosis but is not histological proof, so it never
  fills ``biopsy.result``: paraganglioma stays "not excluded" until metanephrines or a
  pathology report say otherwise (zhang2021 Discussion; Lenders 2014). Secondary malignancy
  (ICD-10 C78/C79) → distant metastasis with its site; C77 → regional nodes; I10–I15 →
  hypertension.
- Observation: tumour size (LOINC 21889-1 with component 33728-7, or 33728-7 alone; mm or
  cm) → ``imaging.max_diameter_cm``, or ``pathology.size_cm`` when measured on a specimen
  (mCODE Tumor Size: ``specimen`` is set once the tumour is excised); plasma free and urinary
  fractionated metanephrines with their interpretation (H/HH/A raised, N/L normal, else the
  reference range) → labs; creatinine (2160-0 mg/dL × 88.4, 14682-9 µmol/L) →
  ``labs.creatinine_umol_l``; histologic grade → ``pathology.fnclcc_grade`` (mCODE
  low/intermediate/high read as FNCLCC G1/G2/G3 is an rvlms proposal); margin (R0/R1/R2,
  Wittekind 2009) → ``pathology.margin``. When several results exist the latest counts,
  except metanephrines: any raised result counts as raised (rvlms proposal, a safety
  choice: a later normal value does not hide a raised one; Lenders 2014 manages raised
  metanephrines as paraganglioma until proven otherwise).
- Procedure: nephrectomy, partial nephrectomy, IVC resection → ``operation`` with the latest
  date and the resected organs.
- DiagnosticReport: ``conclusionCode`` leiomyosarcoma → ``pathology.histology`` when it
  follows an operation on record, otherwise ``biopsy.result`` (rvlms proposal: the record
  does not say which specimen a report describes); metastasis codes as above.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rvlms.case import Case, parse_case
from rvlms.cds.codes import (
    BODY_SITES,
    DIAGNOSES,
    GRADES,
    INTERPRETATIONS,
    LATERALITY,
    LATERALITY_EXTENSIONS,
    LOINC,
    MORPHOLOGY_EXTENSION,
    OBSERVATIONS,
    PROCEDURES,
    UCUM,
    CodeEntry,
    lookup,
    lookup_icd10,
    match_name,
    other_histology,
)
from rvlms.cds.prefetch import Found, Prefetch
from rvlms.cds.problems import FhirInvalid
from rvlms.errors import CaseInvalid, FieldProblem
from rvlms.scores.egfr import UMOL_PER_MG_DL

__all__ = ["CaseMapping", "Ignored", "Mapped", "map_prefetch"]

Coding = tuple[str | None, str | None]

_SKIPPED_STATUS = {"entered-in-error", "cancelled", "not-done", "preparation"}
_SKIPPED_VERIFICATION = {"refuted", "entered-in-error"}
_LONGEST_DIMENSION = "33728-7"
_GRADE_TEXT = re.compile(r"(?:\bG|grade\s*)([123])\b", re.I)
_MARGIN_TEXT = re.compile(r"\bR\s*([012])\b")


@dataclass(frozen=True)
class Mapped:
    """One value read from the record: from where, into which case field, through what."""

    source: str
    field: str
    value: str
    via: str


@dataclass(frozen=True)
class Ignored:
    """Something received but not read, and why (shown on the plan card)."""

    source: str
    reason: str


@dataclass(frozen=True)
class CaseMapping:
    """The case record built from the prefetch; ``in_scope`` is false when nothing on record
    says leiomyosarcoma or retroperitoneal malignancy, and the service then stays silent."""

    case: Case
    in_scope: bool
    scope_reason: str
    mapped: tuple[Mapped, ...]
    ignored: tuple[Ignored, ...]


@dataclass
class _Dated:
    when: str
    found: Found
    value: Any
    via: str


@dataclass
class _Builder:
    today: dt.date
    data: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Found] = field(default_factory=dict)
    mapped: list[Mapped] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def in_scope(self) -> tuple[bool, str]:
        """Leiomyosarcoma on record, or a retroperitoneal / abdominal soft-tissue malignancy
        whose histology is not another tumour (rvlms proposal: the service stays silent
        for patients it was not built for)."""
        if self.scope:
            return True, "; ".join(dict.fromkeys(self.scope + self.sites))
        sites = "; ".join(dict.fromkeys(self.sites))
        if self.sites and self.other:
            return False, f"{sites}, but {'; '.join(dict.fromkeys(self.other))}"
        if self.sites:
            return True, f"{sites} (histology not on record)"
        return (
            False,
            "no leiomyosarcoma or retroperitoneal malignancy among the conditions and reports",
        )

    def put(self, path: str, value: Any, found: Found, shown: str, via: str) -> None:
        node = self.data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        self.origins[path] = found
        self.mapped.append(Mapped(found.ref, path, shown, via))

    def add(self, path: str, item: Any, found: Found, shown: str, via: str) -> None:
        node = self.data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        items = node.setdefault(last, [])
        if item not in items:
            items.append(item)
        self.origins[path] = found
        self.mapped.append(Mapped(found.ref, path, shown, via))

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def skip(self, found: Found, reason: str) -> None:
        self.ignored.append(Ignored(found.ref, reason))


# --- small readers of FHIR datatypes -------------------------------------------------


def _codings(concept: Any) -> list[Coding]:
    if concept is None:
        return []
    return [(c.system, c.code) for c in (concept.coding or [])]


def _concept_text(concept: Any) -> str:
    if concept is None:
        return ""
    parts = [concept.text or ""] + [c.display or "" for c in (concept.coding or [])]
    return " ".join(p for p in parts if p)


def _codings_of(concepts: Iterable[Any]) -> list[Coding]:
    return [c for concept in concepts for c in _codings(concept)]


def _when(*values: Any) -> str:
    """A sortable ISO text for the first date given (FHIR dates may be partial)."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return str(value)
    return ""


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _via(entry: CodeEntry | None, name: str | None = None) -> str:
    if entry is not None:
        return entry.label
    return f"matched by name ({name})" if name else "matched by name"


def _display(concept: Any, fallback: str = "no code read by this service") -> str:
    text = _concept_text(concept)
    return text[:120] if text else fallback


def _side(concepts: Iterable[Any]) -> tuple[str, CodeEntry] | None:
    for concept in concepts:
        if concept is None:
            continue
        entry = lookup(LATERALITY, _codings(concept))
        if entry is not None:
            return entry.target.split(":", 1)[1], entry
        for extension in concept.extension or []:
            if extension.url in LATERALITY_EXTENSIONS:
                entry = lookup(LATERALITY, _codings(extension.valueCodeableConcept))
                if entry is not None:
                    return entry.target.split(":", 1)[1], entry
    return None


def _quantity_cm(quantity: Any) -> tuple[float, str] | None:
    """Tumour size in cm from a Quantity in cm or mm (mCODE TumorSizeUnitsVS)."""
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code if quantity.system in (UCUM, None) else None) or quantity.unit or ""
    unit = unit.strip().lower()
    value = float(Decimal(quantity.value))
    if unit == "cm":
        return round(value, 2), f"{value:g} cm"
    if unit == "mm":
        return round(value / 10, 2), f"{value / 10:g} cm ({value:g} mm)"
    return None


def _creatinine_umol(quantity: Any, code: str | None) -> tuple[float, str] | None:
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code or quantity.unit or "").strip().lower()
    unit = unit.replace("µ", "u").replace("μ", "u")
    value = float(Decimal(quantity.value))
    if unit in ("mg/dl", "mg/100ml") or (not unit and code == "2160-0"):
        converted = round(value * UMOL_PER_MG_DL, 1)
        return converted, f"{converted:g} µmol/L ({value:g} mg/dL × {UMOL_PER_MG_DL:g})"
    if unit in ("umol/l", "micromol/l") or (not unit and code == "14682-9"):
        return round(value, 1), f"{value:g} µmol/L"
    return None


# --- Patient -------------------------------------------------------------------------


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _read_patient(b: _Builder, found: Found) -> None:
    patient = found.resource
    if patient.gender in ("female", "male"):
        b.put("demographics.sex", patient.gender, found, patient.gender, "Patient.gender")
    elif patient.gender:
        b.skip(found, f"gender '{patient.gender}': the eGFR equation needs female or male")
    birth = patient.birthDate
    if isinstance(birth, dt.date):
        years = _age(birth, b.today)
        b.put(
            "demographics.age_years",
            years,
            found,
            f"{years} years on {b.today.isoformat()}",
            "Patient.birthDate",
        )
    elif birth:
        b.skip(found, f"birthDate '{birth}' is partial; age not computed")
    if patient.deceasedBoolean or patient.deceasedDateTime:
        b.skip(found, "deceased: the plan is not adjusted for it")


# --- Condition and DiagnosticReport codes ---------------------------------------------


def _condition_codes(resource: Any) -> list[Coding]:
    codes = _codings(resource.code)
    for extension in resource.extension or []:
        if extension.url == MORPHOLOGY_EXTENSION:
            codes += _codings(extension.valueCodeableConcept)
    return codes


def _diagnosis(codes: list[Coding], text: str) -> tuple[CodeEntry | None, str | None]:
    entry = lookup(DIAGNOSES, codes)
    if entry is not None:
        return entry, None
    pattern = match_name(text, "diagnosis:")
    return None, pattern.description if pattern else None


def _secondary(b: _Builder, found: Found, entry: CodeEntry) -> bool:
    kind, _, site = entry.target.partition(":")
    if kind == "metastasis":
        b.put("imaging.distant_metastasis", True, found, "yes", entry.label)
        b.add("imaging.metastasis_sites", site, found, site, entry.label)
        return True
    if kind == "nodes":
        b.put("imaging.regional_nodes", True, found, "yes", entry.label)
        return True
    if kind == "history":
        b.add("history.conditions", site, found, site, entry.label)
        return True
    return False


def _read_condition(b: _Builder, found: Found) -> None:
    condition = found.resource
    status = _codings(condition.verificationStatus)
    if any(code in _SKIPPED_VERIFICATION for _, code in status):
        b.skip(found, "verification status refuted or entered-in-error")
        return
    codes = _condition_codes(condition)
    text = _concept_text(condition.code)
    diagnosis, by_name = _diagnosis(codes, text)
    icd = lookup_icd10(codes)
    if diagnosis is None and not by_name:
        other = other_histology(codes, text)
        if other is not None:
            b.other.append(f"{found.ref}: another histology ({other})")
            b.skip(found, f"another histology ({other}): not a leiomyosarcoma")
            return
    primary = False
    if diagnosis is not None or by_name:
        primary = True
        b.scope.append(f"{found.ref}: leiomyosarcoma ({_via(diagnosis, by_name)})")
        b.mapped.append(
            Mapped(
                found.ref,
                "(scope)",
                "leiomyosarcoma, not histological proof",
                _via(diagnosis, by_name),
            )
        )
    if icd is not None and icd.target.startswith("primary:"):
        primary = True
        b.sites.append(f"{found.ref}: {icd.display} ({icd.label})")
        b.mapped.append(Mapped(found.ref, "(scope)", icd.display, icd.label))
    elif icd is not None and _secondary(b, found, icd):
        return
    if not primary:
        b.skip(found, _display(condition.code))
        return
    _read_primary_site(b, found)
    onset = _as_date(condition.onsetDateTime)
    if onset is not None:
        current = b.get("presentation.diagnosis_date")
        if current is None or onset < current:
            b.put(
                "presentation.diagnosis_date",
                onset,
                found,
                onset.isoformat(),
                "Condition.onsetDateTime",
            )


def _read_primary_site(b: _Builder, found: Found) -> None:
    sites = list(found.resource.bodySite or [])
    for site in sites:
        entry = lookup(BODY_SITES, _codings(site))
        if entry is not None and b.get("imaging.vessel_of_origin") is None:
            vessel = entry.target.split(":", 1)[1]
            b.put("imaging.vessel_of_origin", vessel, found, vessel, entry.label)
    side = _side(sites)
    if side is not None and b.get("imaging.side") is None:
        b.put("imaging.side", side[0], found, side[0], side[1].label)


# --- Observation --------------------------------------------------------------------


def _observation_kind(observation: Any) -> tuple[str, str] | None:
    entry = lookup(OBSERVATIONS, _codings(observation.code))
    if entry is not None:
        return entry.target.split(":", 1)[1], entry.label
    pattern = match_name(_concept_text(observation.code), "observation:")
    if pattern is not None:
        return pattern.target.split(":", 1)[1], f"matched by name ({pattern.description})"
    return None


def _observation_when(observation: Any) -> str:
    period = observation.effectivePeriod
    return _when(
        observation.effectiveDateTime, period.start if period else None, observation.issued
    )


def _size(observation: Any) -> tuple[float, str] | None:
    for component in observation.component or []:
        if (LOINC, _LONGEST_DIMENSION) in _codings(component.code):
            return _quantity_cm(component.valueQuantity)
    return _quantity_cm(observation.valueQuantity)


def _metanephrine_result(observation: Any) -> str | None:
    """Raised or normal from the interpretation flags, else from the reference range."""
    flags = [c for concept in observation.interpretation or [] for _, c in _codings(concept)]
    for component in observation.component or []:
        flags += [c for concept in component.interpretation or [] for _, c in _codings(concept)]
    results = {INTERPRETATIONS.get((flag or "").upper()) for flag in flags}
    if "abnormal" in results:
        return "abnormal"
    if "normal" in results:
        return "normal"
    quantity = observation.valueQuantity
    for reference in observation.referenceRange or []:
        high = reference.high
        if (
            quantity is not None
            and quantity.value is not None
            and high is not None
            and high.value is not None
        ):
            return "abnormal" if Decimal(quantity.value) > Decimal(high.value) else "normal"
    return None


def _grade(observation: Any) -> tuple[str, str] | None:
    entry = lookup(GRADES, _codings(observation.valueCodeableConcept))
    if entry is not None:
        return entry.target.split(":", 1)[1], entry.label
    text = " ".join(
        t for t in (_concept_text(observation.valueCodeableConcept), observation.valueString) if t
    )
    match = _GRADE_TEXT.search(text)
    if match:
        return f"G{match.group(1)}", f"grade read from the text '{text[:40]}'"
    if observation.valueInteger in (1, 2, 3):
        return f"G{observation.valueInteger}", "grade as a number"
    return None


def _margin(observation: Any) -> tuple[str, str] | None:
    concept = observation.valueCodeableConcept
    texts = [code or "" for _, code in _codings(concept)]
    texts += [_concept_text(concept), observation.valueString or ""]
    for text in texts:
        match = _MARGIN_TEXT.search(text)
        if match:
            return f"R{match.group(1)}", f"residual tumour class read from '{text[:40]}'"
    return None


def _read_observations(b: _Builder, observations: list[Found]) -> None:
    latest: dict[str, _Dated] = {}
    metanephrines: dict[str, list[tuple[Found, str, str]]] = {}

    def keep(key: str, item: _Dated) -> None:
        if key not in latest or item.when >= latest[key].when:
            latest[key] = item

    for found in observations:
        observation = found.resource
        if observation.status in _SKIPPED_STATUS:
            b.skip(found, f"status {observation.status}")
            continue
        kind = _observation_kind(observation)
        if kind is None:
            b.skip(found, _display(observation.code))
            continue
        name, via = kind
        when = _observation_when(observation)
        if name in ("tumour_size", "tumour_longest_dimension"):
            size = _size(observation)
            if size is None:
                b.skip(found, "tumour size without a value in cm or mm")
                continue
            target = "pathology.size_cm" if observation.specimen else "imaging.max_diameter_cm"
            keep(target, _Dated(when, found, size, via))
        elif name in ("plasma_metanephrines", "urine_metanephrines"):
            result = _metanephrine_result(observation)
            if result is None:
                b.skip(
                    found,
                    "metanephrines without an interpretation or reference range: "
                    "raised or normal cannot be told",
                )
                continue
            metanephrines.setdefault(name, []).append((found, result, via))
        elif name == "creatinine":
            code = next((c for s, c in _codings(observation.code) if s == LOINC), None)
            value = _creatinine_umol(observation.valueQuantity, code)
            if value is None:
                b.skip(found, "creatinine without a value in mg/dL or µmol/L")
                continue
            keep("labs.creatinine_umol_l", _Dated(when, found, value, via))
        elif name == "histologic_grade":
            grade = _grade(observation)
            if grade is None:
                b.skip(found, "histologic grade without a G1–G3 value")
                continue
            keep(
                "pathology.fnclcc_grade",
                _Dated(when, found, (grade[0], grade[0]), f"{via}; {grade[1]}"),
            )
        elif name == "margin":
            margin = _margin(observation)
            if margin is None:
                b.skip(found, "margin without an R0/R1/R2 value")
                continue
            keep(
                "pathology.margin",
                _Dated(when, found, (margin[0], margin[0]), f"{via}; {margin[1]}"),
            )

    for path, item in latest.items():
        value, shown = item.value
        b.put(path, value, item.found, shown, item.via)
    fields = {
        "plasma_metanephrines": "labs.hormones.plasma_free_metanephrines",
        "urine_metanephrines": "labs.hormones.urine_fractionated_metanephrines",
    }
    for name, results in metanephrines.items():
        raised = [r for r in results if r[1] == "abnormal"]
        found, result, via = (raised or results)[-1]
        b.put(
            f"{fields[name]}.result",
            result,
            found,
            "raised" if result == "abnormal" else "normal",
            via,
        )


# --- Procedure and DiagnosticReport -----------------------------------------------------


def _read_procedures(b: _Builder, procedures: list[Found]) -> None:
    done: list[tuple[str, Found, str, str]] = []
    organs: list[dict[str, str]] = []
    for found in procedures:
        procedure = found.resource
        if procedure.status in _SKIPPED_STATUS:
            b.skip(found, f"status {procedure.status}")
            continue
        entry = lookup(PROCEDURES, _codings(procedure.code))
        pattern = None if entry else match_name(_concept_text(procedure.code), "procedure:")
        target = entry.target if entry else pattern.target if pattern else None
        if target is None:
            b.skip(found, _display(procedure.code))
            continue
        item = target.split(":", 1)[1]
        via = _via(entry, pattern.description if pattern else None)
        period = procedure.performedPeriod
        when = _when(procedure.performedDateTime, period.start if period else None)
        done.append((when, found, item, via))
        if item in ("nephrectomy", "partial_nephrectomy"):
            organ = {"item": item}
            side = _side(procedure.bodySite or [])
            if side is not None:
                organ["side"] = side[0]
            if organ not in organs:
                organs.append(organ)
    if not done:
        return
    when, found, _, _ = max(done, key=lambda d: d[0])
    operation: dict[str, Any] = {}
    day = _parse_when(when)
    if day is not None:
        operation["date"] = day
    if organs:
        operation["organs_resected"] = organs
    b.data["operation"] = operation
    b.origins["operation"] = found
    b.origins["operation.date"] = found
    for done_on, source, what, how in done:
        b.mapped.append(Mapped(source.ref, "operation", f"{what} {done_on[:10]}".strip(), how))


def _parse_when(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _read_reports(b: _Builder, reports: list[Found]) -> list[tuple[str, Found, str]]:
    histology: list[tuple[str, Found, str]] = []
    for found in reports:
        report = found.resource
        if report.status in _SKIPPED_STATUS:
            b.skip(found, f"status {report.status}")
            continue
        read = False
        for concept in report.conclusionCode or []:
            codes = _codings(concept)
            diagnosis, by_name = _diagnosis(codes, _concept_text(concept))
            if diagnosis is not None or by_name:
                period = report.effectivePeriod
                when = _when(
                    report.effectiveDateTime, period.start if period else None, report.issued
                )
                histology.append((when, found, _via(diagnosis, by_name)))
                b.scope.append(f"{found.ref}: leiomyosarcoma ({_via(diagnosis, by_name)})")
                read = True
                continue
            icd = lookup_icd10(codes)
            if icd is not None and _secondary(b, found, icd):
                read = True
                continue
            other = other_histology(codes, _concept_text(concept))
            if other is not None:
                b.other.append(f"{found.ref}: another histology ({other})")
        if not read:
            b.skip(
                found,
                "no conclusion code read by this service"
                if not report.conclusionCode
                else _display(report.conclusionCode[0]),
            )
    return histology


def _place_histology(b: _Builder, histology: list[tuple[str, Found, str]]) -> None:
    """A report after an operation on record is the resection specimen; before, a biopsy."""
    operation = b.data.get("operation")
    operated_on = operation.get("date") if isinstance(operation, dict) else None
    for when, found, via in histology:
        reported = _parse_when(when) if when else None
        after_operation = operation is not None and (
            operated_on is None or reported is None or reported >= operated_on
        )
        if after_operation:
            how = f"{via}; report not before the operation on record (rvlms proposal)"
            b.put("pathology.histology", "leiomyosarcoma", found, "leiomyosarcoma", how)
        else:
            how = f"{via}; no operation on record before the report (rvlms proposal)"
            b.put("biopsy.done", True, found, "yes", how)
            b.put("biopsy.result", "leiomyosarcoma", found, "leiomyosarcoma", how)
            if reported is not None:
                b.put("biopsy.date", reported, found, reported.isoformat(), how)


# --- the case ---------------------------------------------------------------------------


def _case_id(patient_id: str) -> str:
    return patient_id if patient_id[:1].isalnum() else f"p{patient_id}"[:64]


def _problems(exc: CaseInvalid, b: _Builder) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for problem in exc.problems:
        origin = next(
            (
                found
                for path, found in sorted(b.origins.items(), key=lambda kv: -len(kv[0]))
                if problem.path == path or problem.path.startswith(path + ".")
            ),
            None,
        )
        where = f"{origin.where}({origin.ref})" if origin else "prefetch"
        problems.append(
            FieldProblem(
                path=where,
                message=f"read as case field {problem.path}: {problem.message}",
                value=problem.value,
                allowed=problem.allowed,
            )
        )
    return problems


def map_prefetch(prefetch: Prefetch, patient_id: str, today: dt.date) -> CaseMapping:
    """The case record the prefetched resources describe, with what was read and left out."""
    b = _Builder(today=today)
    _read_patient(b, prefetch.patient)
    for found in prefetch.conditions:
        _read_condition(b, found)
    _read_observations(b, prefetch.observations)
    _read_procedures(b, prefetch.procedures)
    _place_histology(b, _read_reports(b, prefetch.reports))
    for where, why in prefetch.notes:
        b.ignored.append(Ignored(where, why))
    data = {
        "case_id": _case_id(patient_id),
        "source": "CDS Hooks patient-view: FHIR R4B prefetch",
        **b.data,
    }
    try:
        case = parse_case(data, source="prefetch")
    except CaseInvalid as exc:
        problems = _problems(exc, b)
        raise FhirInvalid(
            "the prefetched resources give an invalid case record: "
            + "; ".join(p.as_text() for p in problems),
            problems,
        ) from None
    in_scope, reason = b.in_scope()
    return CaseMapping(
        case=case,
        in_scope=in_scope,
        scope_reason=reason,
        mapped=tuple(b.mapped),
        ignored=tuple(b.ignored),
    )
