"""rvlms: case record, cited MDT decision map, registry and cohort analysis for
retroperitoneal vascular leiomyosarcoma."""

__version__ = "0.1.0"
