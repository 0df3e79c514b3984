"""Imaging classification: IVC level and the yang2025 imaging type."""

from rvlms.imaging.classification import (
    LEVEL_OF_LANDMARK,
    Classification,
    Missing,
    classify,
)
from rvlms.imaging.definition import ImagingDefinition, default_definition, load_definition

__all__ = [
    "LEVEL_OF_LANDMARK",
    "Classification",
    "ImagingDefinition",
    "Missing",
    "classify",
    "default_definition",
    "load_definition",
]
