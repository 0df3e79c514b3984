"""The case record: every variable of zhang2021 and yang2025, validated, with units."""

from rvlms.case.cohort import COHORT_COLUMNS, OPTIONAL_COLUMNS, cohort_row, survival
from rvlms.case.imaging import Imaging, ImagingStudy, OrganInvolvement, TumourThrombus
from rvlms.case.io import (
    dump_case,
    field_problems,
    load_case,
    parse_case,
    parse_own_json,
    read_case_data,
)
from rvlms.case.outcome import (
    Complication,
    FollowUp,
    FollowUpEvent,
    Immunohistochemistry,
    Pathology,
    Postoperative,
)
from rvlms.case.presentation import (
    Demographics,
    History,
    HormonePanel,
    Identity,
    Labs,
    Preoperative,
    Presentation,
)
from rvlms.case.record import CASE_SCHEMA_VERSION, Case, Preferences
from rvlms.case.treatment import Biopsy, Mdt, Operation, ResectedOrgan, Therapy

__all__ = [
    "CASE_SCHEMA_VERSION",
    "COHORT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "Biopsy",
    "Case",
    "Complication",
    "Demographics",
    "FollowUp",
    "FollowUpEvent",
    "History",
    "HormonePanel",
    "Identity",
    "Imaging",
    "ImagingStudy",
    "Immunohistochemistry",
    "Labs",
    "Mdt",
    "Operation",
    "OrganInvolvement",
    "Pathology",
    "Postoperative",
    "Preferences",
    "Preoperative",
    "Presentation",
    "ResectedOrgan",
    "Therapy",
    "TumourThrombus",
    "cohort_row",
    "dump_case",
    "field_problems",
    "load_case",
    "parse_case",
    "parse_own_json",
    "read_case_data",
    "survival",
]
