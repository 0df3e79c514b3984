"""FHIR R4 / mCODE STU4: case records out as Bundles and Bulk Data NDJSON, and back in.

Resources are built and validated with ``fhir.resources.R4B`` (the library has no R4
package; only elements R4 4.0.1 defines are written); mCODE profile rules are checked by
:mod:`rvlms.fhir.conformance`. The import reads through the same mapping as the CDS Hooks
prefetch (:mod:`rvlms.fhir.mapping`). Codes and the rvlms code system: docs/fhir.md.
"""

from rvlms.fhir.conformance import check_resource, must_support_gaps
from rvlms.fhir.export import case_bundle, case_resources
from rvlms.fhir.ndjson import cohort_ndjson, write_ndjson
from rvlms.fhir.read import FhirFileInvalid, cases_from_resources, read_fhir_file
from rvlms.fhir.vocabulary import RVLMS_CONCEPTS, RVLMS_SYSTEM

__all__ = [
    "RVLMS_CONCEPTS",
    "RVLMS_SYSTEM",
    "FhirFileInvalid",
    "case_bundle",
    "case_resources",
    "cases_from_resources",
    "check_resource",
    "cohort_ndjson",
    "must_support_gaps",
    "read_fhir_file",
    "write_ndjson",
]
