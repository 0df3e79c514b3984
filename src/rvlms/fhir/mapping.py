"""From FHIR resources to the rvlms case record: one mapping for the CDS prefetch and the
FHIR import (:mod:`rvlms.fhir.read`).

The electronic record rarely holds what the MDT plan needs (IVC level, wall involvement,
patency); it does hold who the patient is, the diagnosis, a few laboratory results and
past operations. This module reads exactly those, through the code table in
:mod:`rvlms.fhir.codes`, and records for every resource what was read into which case field
and what was left out, so that the cards can show it.

What is read (codes and their sources: :mod:`rvlms.fhir.codes`):

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
- DiagnosticReport: ``conclusionCode`` leiomyosarcoma → ``biopsy.result`` when the report
  is coded as a biopsy report (rvlms code system, as rvlms exports write it) or, uncoded,
  when no operation on record precedes it; otherwise ``pathology.histology`` (rvlms
  proposal: most records do not say which specimen a report describes); metastasis codes
  as above.

Patient.birthDate gives an age only when a reference day is given (``today``: the day of
the CDS call); the import reads the age at diagnosis from its own observation instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from rvlms.fhir.builder import Builder, Ignored, Located, Mapped
from rvlms.fhir.codes import (
    BODY_SITES,
    DIAGNOSES,
    MORPHOLOGY_EXTENSION,
    PROCEDURES,
    CodeEntry,
    lookup,
    lookup_icd10,
    match_name,
    other_histology,
)
from rvlms.fhir.observations import SKIPPED_STATUS, read_observations
from rvlms.fhir.readers import (
    Coding,
    as_date,
    codings,
    concept_text,
    display_of,
    parse_when,
    side_of,
    via_label,
    when_of,
)
from rvlms.fhir.vocabulary import BIOPSY_REPORT, RVLMS_SYSTEM, SPECIMEN_REPORT

__all__ = ["ResourceSet", "read_resources"]

_SKIPPED_VERIFICATION = {"refuted", "entered-in-error"}

Histology = tuple[str, Located, str, bool | None]


class ResourceSet(Protocol):
    """The resources of one patient, by kind (a CDS prefetch or one patient of a file)."""

    @property
    def patient(self) -> Located: ...

    @property
    def conditions(self) -> Sequence[Located]: ...

    @property
    def observations(self) -> Sequence[Located]: ...

    @property
    def procedures(self) -> Sequence[Located]: ...

    @property
    def reports(self) -> Sequence[Located]: ...

    @property
    def notes(self) -> Sequence[tuple[str, str]]: ...


# --- Patient -------------------------------------------------------------------------


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _read_patient(b: Builder, found: Located) -> None:
    patient = found.resource
    if patient.gender in ("female", "male"):
        b.put("demographics.sex", patient.gender, found, patient.gender, "Patient.gender")
    elif patient.gender:
        b.skip(found, f"gender '{patient.gender}': the eGFR equation needs female or male")
    birth = patient.birthDate
    if isinstance(birth, dt.date) and b.today is not None:
        years = _age(birth, b.today)
        b.put(
            "demographics.age_years",
            years,
            found,
            f"{years} years on {b.today.isoformat()}",
            "Patient.birthDate",
        )
    elif birth and b.today is not None:
        b.skip(found, f"birthDate '{birth}' is partial; age not computed")
    if patient.deceasedBoolean or patient.deceasedDateTime:
        b.skip(found, "deceased: the plan is not adjusted for it")


# --- Condition and DiagnosticReport codes ---------------------------------------------


def _condition_codes(resource: Any) -> list[Coding]:
    codes = codings(resource.code)
    for extension in resource.extension or []:
        if extension.url == MORPHOLOGY_EXTENSION:
            codes += codings(extension.valueCodeableConcept)
    return codes


def _diagnosis(codes: list[Coding], text: str) -> tuple[CodeEntry | None, str | None]:
    entry = lookup(DIAGNOSES, codes)
    if entry is not None:
        return entry, None
    pattern = match_name(text, "diagnosis:")
    return None, pattern.description if pattern else None


def _secondary(b: Builder, found: Located, entry: CodeEntry) -> bool:
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


def _read_condition(b: Builder, found: Located) -> None:
    condition = found.resource
    status = codings(condition.verificationStatus)
    if any(code in _SKIPPED_VERIFICATION for _, code in status):
        b.skip(found, "verification status refuted or entered-in-error")
        return
    codes = _condition_codes(condition)
    text = concept_text(condition.code)
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
        b.scope.append(f"{found.ref}: leiomyosarcoma ({via_label(diagnosis, by_name)})")
        b.mapped.append(
            Mapped(
                found.ref,
                "(scope)",
                "leiomyosarcoma, not histological proof",
                via_label(diagnosis, by_name),
            )
        )
    if icd is not None and icd.target.startswith("primary:"):
        primary = True
        b.sites.append(f"{found.ref}: {icd.display} ({icd.label})")
        b.mapped.append(Mapped(found.ref, "(scope)", icd.display, icd.label))
    elif icd is not None and _secondary(b, found, icd):
        return
    if not primary:
        b.skip(found, display_of(condition.code))
        return
    _read_primary_site(b, found)
    notes = "\n\n".join(n.text.strip() for n in condition.note or () if n.text and n.text.strip())
    if notes and b.get("notes") is None:
        b.put("notes", notes, found, "(free text)", "Condition.note")
    onset = as_date(condition.onsetDateTime)
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


def _read_primary_site(b: Builder, found: Located) -> None:
    sites = list(found.resource.bodySite or [])
    for site in sites:
        entry = lookup(BODY_SITES, codings(site))
        if entry is not None and b.get("imaging.vessel_of_origin") is None:
            vessel = entry.target.split(":", 1)[1]
            b.put("imaging.vessel_of_origin", vessel, found, vessel, entry.label)
    side = side_of(sites)
    if side is not None and b.get("imaging.side") is None:
        b.put("imaging.side", side[0], found, side[0], side[1].label)


# --- Procedure and DiagnosticReport -----------------------------------------------------


def _read_procedures(b: Builder, procedures: list[Located]) -> None:
    done: list[tuple[str, Located, str, str]] = []
    organs: list[dict[str, str]] = []
    for found in procedures:
        procedure = found.resource
        if procedure.status in SKIPPED_STATUS:
            b.skip(found, f"status {procedure.status}")
            continue
        entry = lookup(PROCEDURES, codings(procedure.code))
        pattern = None if entry else match_name(concept_text(procedure.code), "procedure:")
        target = entry.target if entry else pattern.target if pattern else None
        if target is None:
            b.skip(found, display_of(procedure.code))
            continue
        item = target.split(":", 1)[1]
        via = via_label(entry, pattern.description if pattern else None)
        period = procedure.performedPeriod
        when = when_of(procedure.performedDateTime, period.start if period else None)
        done.append((when, found, item, via))
        if item in ("nephrectomy", "partial_nephrectomy"):
            organ = {"item": item}
            side = side_of(procedure.bodySite or [])
            if side is not None:
                organ["side"] = side[0]
            if organ not in organs:
                organs.append(organ)
    if not done:
        return
    when, found, _, _ = max(done, key=lambda d: d[0])
    operation: dict[str, Any] = b.data.setdefault("operation", {})
    day = parse_when(when)
    if day is not None and "date" not in operation:
        operation["date"] = day
    if organs and "organs_resected" not in operation:
        operation["organs_resected"] = organs
    b.origins["operation"] = found
    b.origins["operation.date"] = found
    for done_on, source, what, how in done:
        b.mapped.append(Mapped(source.ref, "operation", f"{what} {done_on[:10]}".strip(), how))


def _biopsy_report(report: Any) -> bool | None:
    """True for a report coded as a biopsy, False for a resection specimen, None uncoded."""
    for system, code in codings(report.code):
        if system == RVLMS_SYSTEM and code in (BIOPSY_REPORT, SPECIMEN_REPORT):
            return bool(code == BIOPSY_REPORT)
    return None


def _read_reports(b: Builder, reports: list[Located]) -> list[Histology]:
    histology: list[Histology] = []
    for found in reports:
        report = found.resource
        if report.status in SKIPPED_STATUS:
            b.skip(found, f"status {report.status}")
            continue
        read = False
        for concept in report.conclusionCode or []:
            codes = codings(concept)
            diagnosis, by_name = _diagnosis(codes, concept_text(concept))
            if diagnosis is not None or by_name:
                period = report.effectivePeriod
                when = when_of(
                    report.effectiveDateTime, period.start if period else None, report.issued
                )
                histology.append(
                    (when, found, via_label(diagnosis, by_name), _biopsy_report(report))
                )
                b.scope.append(f"{found.ref}: leiomyosarcoma ({via_label(diagnosis, by_name)})")
                read = True
                continue
            icd = lookup_icd10(codes)
            if icd is not None and _secondary(b, found, icd):
                read = True
                continue
            other = other_histology(codes, concept_text(concept))
            if other is not None:
                b.other.append(f"{found.ref}: another histology ({other})")
        if not read:
            b.skip(
                found,
                "no conclusion code read by this service"
                if not report.conclusionCode
                else display_of(report.conclusionCode[0]),
            )
    return histology


def _place_histology(b: Builder, histology: list[Histology]) -> None:
    """A report coded as biopsy or resection goes where its code says; an uncoded report after
    an operation on record is the resection specimen, before it a biopsy."""
    operation = b.data.get("operation")
    operated_on = operation.get("date") if isinstance(operation, dict) else None
    for when, found, via, biopsy in histology:
        reported = parse_when(when) if when else None
        after_operation = operation is not None and (
            operated_on is None or reported is None or reported >= operated_on
        )
        if biopsy is not None:
            after_operation = not biopsy
        if after_operation:
            how = f"{via}; report not before the operation on record (rvlms proposal)"
            b.put("pathology.histology", "leiomyosarcoma", found, "leiomyosarcoma", how)
        else:
            how = f"{via}; no operation on record before the report (rvlms proposal)"
            b.put("biopsy.done", True, found, "yes", how)
            b.put("biopsy.result", "leiomyosarcoma", found, "leiomyosarcoma", how)
            if reported is not None:
                b.put("biopsy.date", reported, found, reported.isoformat(), how)


def read_resources(resources: ResourceSet, today: dt.date | None) -> Builder:
    """Every case field the resources give, with where each came from and what was left
    out; ``today`` is the day ages are counted on (``None``: no age from the birth date)."""
    b = Builder(today=today)
    _read_patient(b, resources.patient)
    for found in resources.conditions:
        _read_condition(b, found)
    read_observations(b, list(resources.observations))
    _read_procedures(b, list(resources.procedures))
    _place_histology(b, _read_reports(b, list(resources.reports)))
    for where, why in resources.notes:
        b.ignored.append(Ignored(where, why))
    return b
