"""FHIR files back into case records: a Bundle (JSON) or Bulk Data NDJSON.

Every resource is validated with its ``fhir.resources.R4B`` model; resources are grouped by
the patient they refer to, and each patient's resources go through the one mapping that the
CDS prefetch uses (:mod:`rvlms.fhir.mapping`), followed by the facts only rvlms exports
write (:mod:`rvlms.fhir.extended`). A malformed file or resource is reported with its
position, type, id and field; nothing is half-read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from rvlms.case import Case, parse_case
from rvlms.errors import CaseInvalid, FieldProblem, InputError
from rvlms.fhir.builder import Found
from rvlms.fhir.extended import read_extended
from rvlms.fhir.mapping import read_resources
from rvlms.fhir.vocabulary import RVLMS_IDENTIFIER

__all__ = ["FhirFileInvalid", "PatientResources", "cases_from_resources", "read_fhir_file"]

_KINDS = {
    "Condition": "conditions",
    "Observation": "observations",
    "Procedure": "procedures",
    "DiagnosticReport": "reports",
    "MedicationRequest": "medications",
}
_IGNORED = {"BodyStructure", "Specimen"}
"""Read through the observations that reference them (tumour size), not on their own."""


class FhirFileInvalid(InputError):
    """A FHIR file that cannot be read into case records; ``problems`` name each field."""

    title = "Invalid FHIR file"

    def __init__(self, message: str, problems: Iterable[FieldProblem] = ()) -> None:
        self.problems = list(problems)
        details = "; ".join(p.as_text() for p in self.problems)
        super().__init__(f"{message}: {details}" if details else message)


@dataclass
class PatientResources:
    """One patient's resources by kind, in file order (a :class:`ResourceSet`)."""

    patient: Found
    conditions: list[Found] = field(default_factory=list)
    observations: list[Found] = field(default_factory=list)
    procedures: list[Found] = field(default_factory=list)
    reports: list[Found] = field(default_factory=list)
    medications: list[Found] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)


def _problems(exc: ValidationError, where: str) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(p) for p in error["loc"])
        value = error.get("input")
        problems.append(
            FieldProblem(
                path=f"{where}.{path}" if path else where,
                message=str(error["msg"]),
                value=value if isinstance(value, str | int | float | bool) else None,
            )
        )
    return problems


def _validate(data: Any, where: str) -> tuple[Found | None, list[FieldProblem]]:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        return None, [FieldProblem(where, "not a FHIR resource: a JSON object with resourceType")]
    kind = data["resourceType"]
    ident = data.get("id")
    ref = f"{kind}/{ident}" if isinstance(ident, str) else f"{kind} at {where}"
    label = f"{where}({ref})"
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        return None, [FieldProblem(label, f"'{kind}' is not a FHIR R4B resource type")]
    try:
        return Found(model.model_validate(data), where, ref), []
    except ValidationError as exc:
        return None, _problems(exc, label)


def _subject(resource: Any) -> str | None:
    for name in ("subject", "patient"):
        reference = getattr(resource, name, None)
        if reference is not None and reference.reference:
            return str(reference.reference)
    return None


def cases_from_resources(
    resources: Sequence[tuple[str, Any]], source: str, *, strict: bool = True
) -> list[Case]:
    """The case record of every Patient among ``(where, resource JSON)`` pairs."""
    problems: list[FieldProblem] = []
    found: list[Found] = []
    for where, data in resources:
        item, wrong = _validate(data, where)
        problems += wrong
        if item is not None:
            found.append(item)
    if problems:
        raise FhirFileInvalid(f"{source} holds resources that are not valid FHIR R4", problems)
    patients: dict[str, PatientResources] = {}
    for item in found:
        if item.resource.get_resource_type() != "Patient":
            continue
        if not item.resource.id:
            problems.append(
                FieldProblem(
                    f"{item.where}.id", "a Patient needs an id for its resources to refer to"
                )
            )
        elif f"Patient/{item.resource.id}" in patients:
            problems.append(FieldProblem(f"{item.where}.id", "the same Patient id appears twice"))
        else:
            patients[f"Patient/{item.resource.id}"] = PatientResources(patient=item)
    if problems:
        raise FhirFileInvalid(f"{source} cannot be read", problems)
    if not patients:
        raise FhirFileInvalid(f"{source} holds no Patient resource; expected one per case")
    for position, item in enumerate(found):
        kind = item.resource.get_resource_type()
        if kind == "Patient":
            continue
        owner = patients.get(_subject(item.resource) or "")
        if owner is None:
            if strict and kind not in _IGNORED:
                problems.append(
                    FieldProblem(item.where, "refers to no Patient in the file (subject)")
                )
            continue
        if kind in _KINDS:
            getattr(owner, _KINDS[kind]).append(item)
            owner.order[item.ref] = position
        elif kind not in _IGNORED:
            owner.notes.append((item.ref, f"{kind} is not read into the case record"))
    if problems:
        raise FhirFileInvalid(f"{source} cannot be read", problems)
    return [_case(group, source) for group in patients.values()]


def _case_id(patient: Any) -> str:
    for identifier in patient.identifier or []:
        if identifier.system == RVLMS_IDENTIFIER and identifier.value:
            return str(identifier.value)
    return str(patient.id)


def _case(group: PatientResources, source: str) -> Case:
    b = read_resources(group, None)
    read_extended(b, group)
    data = {"case_id": _case_id(group.patient.resource), "source": f"FHIR: {source}", **b.data}
    try:
        return parse_case(data, source=group.patient.ref)
    except CaseInvalid as exc:
        raise FhirFileInvalid(
            f"{group.patient.ref} gives an invalid case record",
            b.field_problems(exc, group.patient.where),
        ) from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FhirFileInvalid(
            f"{where} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "expected a FHIR Bundle (.json) or NDJSON, one resource per line (.ndjson)"
        ) from None


def _ndjson(path: Path) -> list[tuple[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            items.append((f"{path.name}:{number}", _json(line, f"{path.name} line {number}")))
    return items


def read_fhir_file(path: Path) -> list[Case]:
    """Case records from a Bundle, an NDJSON file or a folder of NDJSON files."""
    if not path.exists():
        raise FhirFileInvalid(f"{path} does not exist; give a Bundle, an NDJSON file or a folder")
    try:
        if path.is_dir():
            files = sorted(path.glob("*.ndjson"))
            if not files:
                raise FhirFileInvalid(f"{path} holds no .ndjson file (FHIR Bulk Data output)")
            items = [item for file in files for item in _ndjson(file)]
        elif path.suffix == ".ndjson":
            items = _ndjson(path)
        else:
            data = _json(path.read_text("utf-8"), path.name)
            items = _bundle_items(data, path.name)
    except (OSError, UnicodeDecodeError) as exc:
        raise FhirFileInvalid(f"{path} cannot be read: {exc}") from None
    return cases_from_resources(items, path.name)


def _bundle_items(data: Any, where: str) -> list[tuple[str, Any]]:
    if isinstance(data, dict) and data.get("resourceType") == "Patient":
        return [(where, data)]
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise FhirFileInvalid(
            f"{where}: resourceType is {kind!r}; expected 'Bundle' (or NDJSON in a .ndjson file)"
        )
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise FhirFileInvalid(f"{where}: Bundle.entry must be a list of entries")
    return [
        (f"entry[{i}]", entry.get("resource") if isinstance(entry, dict) else None)
        for i, entry in enumerate(entries)
    ]
