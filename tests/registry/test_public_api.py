"""The public surfaces of ``rvlms.registry`` and ``rvlms.interchange`` are what they declare."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

EXPECTED = {
    "rvlms.registry": {
        "DEFAULT_CENTRE",
        "NETWORK",
        "Centre",
        "Centres",
        "Membership",
        "Scope",
        "CaseInput",
        "CaseSummary",
        "Change",
        "ProgressCallback",
        "Registry",
        "Revision",
        "StoredCase",
        "create_engine_for",
        "current_revisions",
        "display_url",
        "head_revisions",
        "init_registry",
        "load_cohort_from_db",
    },
    "rvlms.interchange": {
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
    },
    "rvlms.cli.registry_cmd": {"registry_app"},
    "rvlms.cli.registry_io_cmd": {"register_io_commands"},
    "rvlms.cli.registry_support": {
        "CentreOption",
        "UserOption",
        "audit_sync",
        "audited",
        "console",
        "handled",
        "open_registry",
        "refuse",
        "registry_url",
        "short",
        "usage_error",
        "user_name",
        "when",
    },
    "rvlms.cli.redcap_cmd": {"redcap_app", "register"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_all_is_the_public_surface(name: str) -> None:
    module = importlib.import_module(name)
    assert set(module.__all__) == EXPECTED[name]
    for exported in module.__all__:
        assert hasattr(module, exported), exported
    if name.startswith("rvlms.cli"):
        return
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, ModuleType) and n != "annotations"
    }
    assert public <= set(module.__all__), sorted(public - set(module.__all__))


def test_importing_loads_no_pandas_openpyxl_or_alembic() -> None:
    """The heavy libraries load only when a command needs them (fast CLI start-up)."""
    import subprocess
    import sys

    code = (
        "import sys, rvlms.registry, rvlms.interchange, rvlms.cli.registry_cmd;"
        "heavy = [m for m in ('pandas', 'openpyxl', 'alembic') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
