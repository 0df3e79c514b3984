"""Case records in and out of the registry: wide CSV, Excel, JSON, the cohort-table CSV and
REDCap (data dictionary, project XML, flat record files, update-mode import), all generated
from the case model. Every CSV written here is formula-safe (``csvsafe``)."""

from rvlms.interchange.csvsafe import safe_cell, unsafe_cell
from rvlms.interchange.deidentify import deidentify
from rvlms.interchange.exports import ExportFormat, export_cases
from rvlms.interchange.fields import Leaf, LeafKind, case_leaves, column_for_path
from rvlms.interchange.flat import flatten, unflatten, wide_columns
from rvlms.interchange.imports import (
    ImportFormat,
    ImportProgress,
    ImportReport,
    detect_format,
    import_file,
    read_cases,
)
from rvlms.interchange.problems import ImportProblem, ImportRejected
from rvlms.interchange.redcap import (
    DICTIONARY_HEADERS,
    FIELD_NAME_RULE,
    DictionaryProblem,
    check_dictionary,
    read_redcap_csv,
    redcap_columns,
    redcap_dictionary,
    redcap_fields,
    redcap_forms,
    redcap_project_xml,
    write_redcap_csv,
)
from rvlms.interchange.redcap.sync import Outcome, SyncReport, sync_file
from rvlms.interchange.tabular import (
    read_excel,
    read_json,
    read_wide_csv,
    write_cohort_csv,
    write_excel,
    write_json,
    write_wide_csv,
)

__all__ = [
    "DICTIONARY_HEADERS",
    "FIELD_NAME_RULE",
    "DictionaryProblem",
    "ExportFormat",
    "ImportFormat",
    "ImportProblem",
    "ImportProgress",
    "ImportRejected",
    "ImportReport",
    "Leaf",
    "LeafKind",
    "Outcome",
    "SyncReport",
    "case_leaves",
    "check_dictionary",
    "column_for_path",
    "deidentify",
    "detect_format",
    "export_cases",
    "flatten",
    "import_file",
    "read_cases",
    "read_excel",
    "read_json",
    "read_redcap_csv",
    "read_wide_csv",
    "redcap_columns",
    "redcap_dictionary",
    "redcap_fields",
    "redcap_forms",
    "redcap_project_xml",
    "safe_cell",
    "sync_file",
    "unflatten",
    "unsafe_cell",
    "wide_columns",
    "write_cohort_csv",
    "write_excel",
    "write_json",
    "write_redcap_csv",
    "write_wide_csv",
]
