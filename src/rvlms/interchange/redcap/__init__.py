"""REDCap: the data dictionary, the project XML, flat record files and update-mode import.

- ``names``: the versioned name map (``redcap_names.yaml``): short names, numeric codes,
  choice labels, branching logic;
- ``dictionary``: instruments and the 18-column data dictionary;
- ``checker``: REDCap's own rules applied to a data dictionary;
- ``project_xml``: the CDISC ODM 1.3.1 project file REDCap creates a project from;
- ``records``: flat record CSV files, current and pre-name-map;
- ``sync``: import in update mode with the registry's version check and a diff report.
"""

from rvlms.interchange.redcap.checker import DictionaryProblem, check_dictionary
from rvlms.interchange.redcap.dictionary import (
    DICTIONARY_HEADERS,
    FIELD_NAME_RULE,
    MAIN_FORM,
    RedcapField,
    RedcapForm,
    redcap_dictionary,
    redcap_fields,
    redcap_forms,
)
from rvlms.interchange.redcap.names import MAX_NAME_LENGTH, RECORD_ID, NameMap, name_map
from rvlms.interchange.redcap.project_xml import redcap_project_xml
from rvlms.interchange.redcap.records import (
    REPEAT_INSTANCE,
    REPEAT_INSTRUMENT,
    read_redcap_csv,
    redcap_columns,
    write_redcap_csv,
)

__all__ = [
    "DICTIONARY_HEADERS",
    "FIELD_NAME_RULE",
    "MAIN_FORM",
    "MAX_NAME_LENGTH",
    "RECORD_ID",
    "REPEAT_INSTANCE",
    "REPEAT_INSTRUMENT",
    "DictionaryProblem",
    "NameMap",
    "RedcapField",
    "RedcapForm",
    "check_dictionary",
    "name_map",
    "read_redcap_csv",
    "redcap_columns",
    "redcap_dictionary",
    "redcap_fields",
    "redcap_forms",
    "redcap_project_xml",
    "write_redcap_csv",
]
