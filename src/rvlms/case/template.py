"""A commented YAML template of a case record, written from the record's own fields.

Every line of the template comes from the pydantic model: the description (with its unit
and where zhang2021 and yang2025 use the field), the allowed words of a vocabulary, the
plausible range and the default. A template therefore cannot drift from what ``rvlms
validate`` accepts: left as written, with only ``case_id`` filled in, it is a valid case
whose every unknown is an explicit empty value, which the decision map reports as a missing
fact instead of guessing.

Sections that always exist (demographics, imaging, ...) are written out with empty values;
optional sections (biopsy, operation, pathology, the tumour thrombus) and list entries are
written commented out, to be uncommented when they apply, because an empty biopsy block
would claim a biopsy whose ``done`` is unknown.
"""

from __future__ import annotations

import textwrap
import types
import typing
from enum import Enum
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from rvlms.case.plausibility import field_range
from rvlms.case.record import Case
from rvlms.case.vocab import Vessel

__all__ = ["TEMPLATE_VESSELS", "case_template"]

TEMPLATE_VESSELS: tuple[Vessel, ...] = (
    Vessel.ivc,
    Vessel.renal_vein,
    Vessel.adrenal_vein,
    Vessel.gonadal_vein,
    Vessel.iliac_vein,
)
"""The vessels of origin ``rvlms new --vessel`` writes a template for."""

_IVC_FIELDS = frozenset(
    {
        "imaging.ivc_lower_extent",
        "imaging.ivc_upper_extent",
        "imaging.ivc_segments",
        "imaging.wall_circumference_pct",
        "imaging.ivc_wall_involvement",
        "imaging.ivc_relation",
        "imaging.involved_segment_length_cm",
        "imaging.ivc_patency",
        "imaging.collaterals",
        "imaging.hepatic_veins_involved",
        "imaging.budd_chiari",
        "imaging.relation_to_diaphragm",
        "imaging.right_atrium_extension",
        "operation.pringle_manoeuvre",
        "operation.liver_mobilised",
    }
)
_RENAL_VEIN_FIELDS = frozenset(
    {
        "imaging.renal_veins_involved",
        "imaging.right_renal_vein_patency",
        "imaging.left_renal_vein_patency",
        "operation.renal_vein_bulldog",
    }
)
_LEFT_OUT: dict[Vessel, frozenset[str]] = {
    Vessel.ivc: frozenset(),
    Vessel.renal_vein: frozenset(),
    Vessel.adrenal_vein: frozenset(),
    Vessel.gonadal_vein: _IVC_FIELDS,
    Vessel.iliac_vein: _IVC_FIELDS | _RENAL_VEIN_FIELDS,
}
"""Fields a template leaves out for a vessel of origin.

The IVC extents, the caval wall and the hepatic and atrial fields decide the approach, the
vascular control and the reconstruction only when tumour reaches the IVC: always possible
for a caval, renal-vein or adrenal-vein tumour (zhang2021 cases 1–4), rare for a gonadal or
iliac vein tumour. The renal-vein fields matter for every vein that drains into, or runs
beside, the renal veins, not for an iliac vein. A left-out field is still part of the record.
"""

_WIDTH = 96


def case_template(vessel: Vessel | str | None = None) -> str:
    """The YAML template of a case, for one vessel of origin or (``None``) every field."""
    chosen = Vessel(vessel) if vessel is not None else None
    if chosen is not None and chosen not in _LEFT_OUT:
        allowed = ", ".join(v.value for v in TEMPLATE_VESSELS)
        raise ValueError(f"no template for vessel {chosen.value!r}; allowed: {allowed}")
    left_out = _LEFT_OUT[chosen] if chosen is not None else frozenset()
    lines = [
        f"# rvlms case record{f' — vessel of origin: {chosen.value}' if chosen else ''}.",
        "# Fill in case_id, then what is known. An empty value means 'not known': the plan",
        "# lists it as a missing fact and never guesses. Dates are YYYY-MM-DD; words are",
        "# written as listed (case does not matter). Check with: rvlms validate FILE",
    ]
    if left_out:
        names = ", ".join(sorted(p.split(".", 1)[1] for p in left_out))
        lines += _comment(
            f"Left out for this vessel (add them if the tumour reaches there): {names}.", 0
        )
    lines.append("")
    prefilled = {"imaging.vessel_of_origin": chosen.value} if chosen is not None else {}
    lines += _model_lines(Case, "", 0, commented=False, left_out=left_out, prefilled=prefilled)
    return "\n".join(lines) + "\n"


def _model_lines(
    model: type[BaseModel],
    prefix: str,
    depth: int,
    *,
    commented: bool,
    left_out: frozenset[str],
    prefilled: dict[str, str],
) -> list[str]:
    lines: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in left_out:
            continue
        lines += _field_lines(
            name,
            path,
            info,
            depth,
            commented=commented,
            left_out=left_out,
            prefilled=prefilled,
        )
    return lines


def _field_lines(
    name: str,
    path: str,
    info: FieldInfo,
    depth: int,
    *,
    commented: bool,
    left_out: frozenset[str],
    prefilled: dict[str, str],
) -> list[str]:
    indent = "  " * depth
    mark = "# " if commented else ""
    lines = _comment(_explanation(name, info), depth, commented)
    submodel = _submodel(info.annotation)
    listed = typing.get_origin(_strip_none(info.annotation)) is list
    if submodel is not None and listed:
        if commented:
            lines.append(f"{indent}# {name}:   # one entry per item, e.g.")
        else:
            lines.append(f"{indent}{name}: []")
            lines.append(f"{indent}# {name}:   # replace the line above by entries, e.g.")
        entry = _model_lines(
            submodel,
            f"{path}.",
            depth + 2,
            commented=True,
            left_out=left_out,
            prefilled=prefilled,
        )
        lines += _as_list_entry(entry, depth + 1)
        return lines
    if submodel is not None:
        optional = info.default is None
        lines.append(f"{indent}{'# ' if optional or commented else ''}{name}:")
        if optional and not commented:
            lines[-1] += "   # uncomment this block when it applies"
        lines += _model_lines(
            submodel,
            f"{path}.",
            depth + 1,
            commented=commented or optional,
            left_out=left_out,
            prefilled=prefilled,
        )
        return lines
    value = prefilled.get(path, _default_text(info))
    lines.append(f"{indent}{mark}{name}:{' ' + value if value else ''}")
    return lines


def _as_list_entry(entry: list[str], depth: int) -> list[str]:
    """Commented fields of one list item, the first key turned into ``# - key: ...``."""
    inner = "  " * (depth + 1) + "# "
    for i, line in enumerate(entry):
        if line.startswith(inner) and not line.startswith(inner + "#"):
            entry = [*entry[:i], "  " * depth + "# - " + line[len(inner) :], *entry[i + 1 :]]
            break
    return entry


def _comment(text: str, depth: int, commented: bool = False) -> list[str]:
    indent = "  " * depth
    lead = f"{indent}{'# ' if commented else ''}# "
    return [lead + part for part in textwrap.wrap(text, width=max(40, _WIDTH - len(lead)))]


def _explanation(name: str, info: FieldInfo) -> str:
    parts = [(info.description or name).rstrip(".")]
    if info.is_required():
        parts.append("required")
    kind = _kind(info)
    if kind:
        parts.append(kind)
    plausible = field_range(info)
    if plausible is not None:
        parts.append(f"range {plausible.text}")
    words = _words(info.annotation)
    if words:
        parts.append("one of: " + ", ".join(words))
    return "; ".join(parts) + "."


def _kind(info: FieldInfo) -> str:
    leaves = _leaves(info.annotation)
    listed = typing.get_origin(_strip_none(info.annotation)) is list
    texts = {
        bool: "true or false",
        int: "whole number",
        float: "number",
        str: "text",
    }
    for leaf in leaves:
        if isinstance(leaf, type) and issubclass(leaf, Enum):
            return "a list of words" if listed else ""
        if leaf.__name__ == "date":
            return "date YYYY-MM-DD"
        if leaf in texts:
            text = texts[leaf]
            return f"a list ({text})" if listed else text
    return ""


def _words(annotation: Any) -> list[str]:
    for leaf in _leaves(annotation):
        if isinstance(leaf, type) and issubclass(leaf, Enum):
            return [str(member.value) for member in leaf]
    return []


def _default_text(info: FieldInfo) -> str:
    if info.default_factory is not None:
        made = info.default_factory()  # type: ignore[call-arg]
        return "[]" if made == [] else ""
    default = info.default
    if default is None or default is PydanticUndefined:
        return ""
    if isinstance(default, Enum):
        default = default.value
    if isinstance(default, str) and not default:
        return ""
    return yaml.safe_dump(default, default_flow_style=True).removesuffix("\n...\n").strip()


def _strip_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _leaves(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaves(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _submodel(annotation: Any) -> type[BaseModel] | None:
    return next(
        (
            leaf
            for leaf in _leaves(annotation)
            if isinstance(leaf, type) and issubclass(leaf, BaseModel)
        ),
        None,
    )
