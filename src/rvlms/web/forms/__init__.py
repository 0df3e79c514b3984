"""The web case form: its layout (:mod:`.layout`) and how a submitted form becomes a case
document whose validation problems are shown beside their fields (:mod:`.data`)."""

from rvlms.web.forms.data import (
    FormInput,
    FormLayout,
    PlacedProblems,
    form_to_data,
    layout_for,
    place_problems,
    value_at,
)
from rvlms.web.forms.layout import CASE_FORM, FormField, Kind, RowGroup, Section

__all__ = [
    "CASE_FORM",
    "FormField",
    "FormInput",
    "FormLayout",
    "Kind",
    "PlacedProblems",
    "RowGroup",
    "Section",
    "form_to_data",
    "layout_for",
    "place_problems",
    "value_at",
]
