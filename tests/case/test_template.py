"""The case template: written from the record, valid once case_id is filled in."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from rvlms.case import Case, parse_case
from rvlms.case.template import TEMPLATE_VESSELS, case_template


def _filled(text: str) -> Any:
    return yaml.safe_load(re.sub(r"(?m)^case_id:.*$", "case_id: tpl-1", text))


@pytest.mark.parametrize("vessel", [None, *(v.value for v in TEMPLATE_VESSELS)])
def test_template_validates_after_filling_case_id(vessel: str | None) -> None:
    case = parse_case(_filled(case_template(vessel)))
    assert case.case_id == "tpl-1"
    expected = vessel
    got = case.imaging.vessel_of_origin.value if case.imaging.vessel_of_origin else None
    assert got == expected


def test_template_explains_fields_units_words_and_papers() -> None:
    text = case_template("ivc")
    assert "max_diameter_cm:" in text
    assert "range 0–40 cm" in text
    assert "one of: female, male" in text
    assert "zhang2021 Table 1" in text
    assert "yang2025" in text
    assert "date YYYY-MM-DD" in text


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for info in model.model_fields.values():
        for leaf in _leaves(info.annotation):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel) and leaf not in seen:
                _models(leaf, seen)
    return seen


def _leaves(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for arg in args for leaf in _leaves(arg)]


def test_every_field_of_the_record_is_in_the_full_template() -> None:
    text = case_template()
    for model in _models(Case, set()):
        for name in model.model_fields:
            assert re.search(rf"(?m)^[ #-]*{name}:", text), f"{model.__name__}.{name}"


def test_vessel_leaves_out_what_it_does_not_need() -> None:
    iliac = case_template("iliac_vein")
    assert "right_atrium_extension:" not in iliac.replace("right_atrium_extension,", "")
    assert "Left out for this vessel" in iliac
    assert "right_atrium_extension:" in case_template("ivc")
    assert "plasma_free_metanephrines:" in iliac


def test_optional_blocks_are_commented_and_valid_when_uncommented() -> None:
    lines = re.sub(r"(?m)^case_id:.*$", "case_id: tpl-1", case_template("renal_vein")).split("\n")
    start = lines.index(next(line for line in lines if line.startswith("# biopsy:")))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    block = [re.sub(r"^(\s*)# ", r"\1", line, count=1) for line in lines[start:end]]
    block = [re.sub(r"^  done:$", "  done: true", line) for line in block]
    data = yaml.safe_load("\n".join([*lines[:start], *block, *lines[end:]]))
    case = parse_case(data)
    assert case.biopsy is not None and case.biopsy.done


def test_unknown_vessel_is_refused() -> None:
    with pytest.raises(ValueError, match="allowed: ivc"):
        case_template("unknown")
