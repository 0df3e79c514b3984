"""Versioned JSON Schemas of the public documents: the case record and the plan."""

from __future__ import annotations

from typing import Any


def json_schema(name: str) -> dict[str, Any]:
    if name == "case":
        from rvlms.case import CASE_SCHEMA_VERSION, Case

        schema, version = Case.model_json_schema(), CASE_SCHEMA_VERSION
    elif name == "plan":
        from rvlms.pathway.plan import PLAN_SCHEMA_VERSION, Plan

        schema, version = Plan.model_json_schema(mode="serialization"), PLAN_SCHEMA_VERSION
    else:
        raise ValueError(f"unknown schema '{name}'; allowed: case, plan")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:rvlms:schema:{name}:{version}",
        "version": version,
        **schema,
    }
