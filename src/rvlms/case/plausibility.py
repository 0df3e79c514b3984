"""Plausible ranges of the measured values of the case record, in one place.

A number outside its range is refused with the range, its unit and, where a common slip
explains it (millimetres typed into a centimetre field, mg/dL into a µmol/L field), the value
that was probably meant. The case record's types, its JSON Schema (``minimum``/``maximum``)
and the web form's number fields all read these ranges, so they cannot disagree; the serum
creatinine range is the one the CKD-EPI 2021 eGFR accepts (``rvlms.scores.egfr``), so a
stored creatinine can always be scored.

Why the bounds are where they are:

- lengths and diameters, 0–40 cm: no tumour or thrombus of the packaged published-case
  library exceeds 26 cm and zhang2021 Table 1 spans 4.2–10.7 cm, so 85 "cm" is 85 mm;
- serum creatinine: ``rvlms.scores.egfr.PLAUSIBLE_MG_DL`` (0.1–40 mg/dL) converted at
  88.4 µmol/L per mg/dL; below it a value in µmol/L is usually one in mg/dL;
- age 0–120 years (the longest documented human life is 122 years); height 30–250 cm;
  weight 2–400 kg; haemoglobin 20–250 g/L (a value under 25 is usually g/dL);
- operative time 20 min–48 h: zhang2021 Table 1 spans 224–467 min, so 8 "min" is 8 h;
- alpha-blockade 0–120 days: zhang2021 (Methods) and Lenders 2014 give one to two weeks;
- radiotherapy dose up to 100 Gy: pre-operative retroperitoneal radiotherapy is 50.4 Gy
  (STRASS); no external-beam course reaches 100 Gy;
- ECOG 0–4 (5 is death); percentages 0–100; fractions 0–1 (above 1 usually a percentage).

The ranges are pydantic constraints (so the REDCap dictionary and the JSON Schema carry
them); a value outside one gets the range, its reason and the probable slip instead of
pydantic's bare bound, except below a lower bound of 0, where pydantic's message stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from rvlms.scores.egfr import PLAUSIBLE_MG_DL, UMOL_PER_MG_DL

__all__ = [
    "AGE_YEARS",
    "ALPHA_BLOCKADE_DAYS",
    "BLOOD_ML",
    "CREATININE_UMOL_L",
    "CYCLES",
    "DAYS",
    "DOSE_GY",
    "ECOG",
    "FRACTION",
    "HAEMOGLOBIN_G_L",
    "HEIGHT_CM",
    "IMPLAUSIBLE",
    "LENGTH_CM",
    "MITOSES",
    "MONTHS",
    "NOT_FINITE",
    "OPERATIVE_MIN",
    "PERCENT",
    "WEIGHT_KG",
    "AlphaBlockadeDays",
    "Centimetres",
    "Cycles",
    "Days",
    "Ecog",
    "Fraction",
    "GramsPerLitre",
    "Gray",
    "HeightCm",
    "MicromolPerLitre",
    "Millilitres",
    "Minutes",
    "MitosesPer10Hpf",
    "Months",
    "Percent",
    "PlausibleRange",
    "UnitSlip",
    "WeightKg",
    "Years",
    "field_range",
    "range_at",
]

IMPLAUSIBLE = "implausible"
"""The pydantic error type of a value outside its plausible range."""
NOT_FINITE = "finite_number"
"""The pydantic error type of NaN or infinity in a ranged field; the value is not repeated
back, since "nan cm" or "inf years" reads as if it had been a measurement."""


@dataclass(frozen=True)
class UnitSlip:
    """A unit a value is often typed in by mistake: ``value * factor`` is the value in the
    field's own unit. ``above`` says whether the slip shows as a value above the range
    (85 typed for 8.5 cm) or below it (1.0 typed for 88.4 µmol/L)."""

    unit: str
    factor: float
    above: bool


@dataclass(frozen=True)
class PlausibleRange:
    """The values a field can take, with its unit and why the bounds are where they are."""

    low: float
    high: float
    unit: str
    why: str
    low_exclusive: bool = False
    slips: tuple[UnitSlip, ...] = ()

    def contains(self, value: float) -> bool:
        above_low = value > self.low if self.low_exclusive else value >= self.low
        return above_low and value <= self.high

    @property
    def text(self) -> str:
        """The range as shown to a user, e.g. ``0–40 cm``."""
        return f"{_num(self.low)}–{_num(self.high)}{_sep(self.unit)}{self.unit}"

    def problem(self, value: float) -> str | None:
        """Why ``value`` is refused, or ``None`` when it is plausible."""
        if self.contains(value):
            return None
        given = f"{_num(value)}{_sep(self.unit)}{self.unit}"
        for slip in self.slips:
            meant = value * slip.factor
            if slip.above == (value > self.high) and self.contains(meant):
                return (
                    f"{given}: did you mean {_num(meant)}{_sep(self.unit)}{self.unit} "
                    f"({_num(value)} {slip.unit})? The plausible range is {self.text} "
                    f"({self.why})"
                )
        return f"{given} is outside the plausible range {self.text} ({self.why})"

    def field(self) -> Any:
        """The pydantic constraints of the range, with its unit for the JSON Schema."""
        extra: dict[str, Any] | None = {"unit": self.unit} if self.unit else None
        if self.low_exclusive:
            return Field(gt=self.low, le=self.high, json_schema_extra=extra)
        return Field(ge=self.low, le=self.high, json_schema_extra=extra)

    def explain(self, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """pydantic wrap-validator: a value outside the range gets the range, its reason and
        the unit slip that explains it; below a lower bound of 0 pydantic's own message
        ("Input should be greater than 0") stays, since no slip explains a negative size."""
        try:
            return handler(value)
        except ValidationError as exc:
            number = _number_in(value)
            if number is not None and not math.isfinite(number):
                raise PydanticCustomError(
                    NOT_FINITE,
                    "{message}",
                    {"message": f"not a finite number; give one in the range {self.text}"},
                ) from None
            if number is None or (self.low == 0 and number <= 0):
                raise
            if not any(e["type"] in _BOUND_ERRORS for e in exc.errors()):
                raise
            message = self.problem(number)
            if message is None:
                raise
            raise PydanticCustomError(IMPLAUSIBLE, "{message}", {"message": message}) from None


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _number_in(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _num(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"


def _sep(unit: str) -> str:
    return "" if unit in ("", "%") else " "


MM = UnitSlip("mm", 0.1, above=True)

LENGTH_CM = PlausibleRange(
    0,
    40,
    "cm",
    "a larger number is usually millimetres",
    low_exclusive=True,
    slips=(MM,),
)


def _umol_bounds(mg_dl: tuple[float, float]) -> tuple[float, float]:
    """The mg/dL range in µmol/L at two decimals, rounded inwards so that every stored value,
    converted back as the eGFR converts it, lies inside the eGFR's range."""
    low = math.ceil(mg_dl[0] * UMOL_PER_MG_DL * 100) / 100
    high = math.floor(mg_dl[1] * UMOL_PER_MG_DL * 100) / 100
    while low / UMOL_PER_MG_DL < mg_dl[0]:
        low = round(low + 0.01, 2)
    while high / UMOL_PER_MG_DL > mg_dl[1]:
        high = round(high - 0.01, 2)
    return low, high


_CREATININE_LOW, _CREATININE_HIGH = _umol_bounds(PLAUSIBLE_MG_DL)
CREATININE_UMOL_L = PlausibleRange(
    _CREATININE_LOW,
    _CREATININE_HIGH,
    "µmol/L",
    f"{PLAUSIBLE_MG_DL[0]:g}–{PLAUSIBLE_MG_DL[1]:g} mg/dL, what the CKD-EPI 2021 eGFR accepts",
    slips=(UnitSlip("mg/dL", UMOL_PER_MG_DL, above=False),),
)
AGE_YEARS = PlausibleRange(0, 120, "years", "no documented human life exceeds 122 years")
HEIGHT_CM = PlausibleRange(
    30,
    250,
    "cm",
    "a value under 3 is usually metres",
    slips=(UnitSlip("m", 100, above=False),),
)
WEIGHT_KG = PlausibleRange(
    2,
    400,
    "kg",
    "a larger value is usually grams",
    slips=(UnitSlip("g", 0.001, above=True),),
)
HAEMOGLOBIN_G_L = PlausibleRange(
    20,
    250,
    "g/L",
    "a value under 25 is usually g/dL",
    slips=(UnitSlip("g/dL", 10, above=False),),
)
PERCENT = PlausibleRange(0, 100, "%", "a share of a whole")
FRACTION = PlausibleRange(
    0,
    1,
    "",
    "a share from 0 to 1; a value above 1 is usually a percentage",
    slips=(UnitSlip("%", 0.01, above=True),),
)
OPERATIVE_MIN = PlausibleRange(
    20,
    2880,
    "min",
    "a value under 24 is usually hours",
    slips=(UnitSlip("h", 60, above=False),),
)
BLOOD_ML = PlausibleRange(
    0,
    100000,
    "ml",
    "up to twenty blood volumes",
)
DAYS = PlausibleRange(0, 3650, "d", "ten years after surgery")
MONTHS = PlausibleRange(0, 600, "months", "fifty years of follow-up")
MITOSES = PlausibleRange(0, 500, "per 10 HPF", "above every reported leiomyosarcoma count")
ECOG = PlausibleRange(0, 4, "", "ECOG performance status 0–4 (5 is death)")
ALPHA_BLOCKADE_DAYS = PlausibleRange(
    0,
    120,
    "d",
    "zhang2021 gave about two weeks",
)
CYCLES = PlausibleRange(0, 50, "cycles", "more than any sarcoma regimen gives")
DOSE_GY = PlausibleRange(
    0,
    100,
    "Gy",
    "beyond any external-beam course",
    low_exclusive=True,
)


Centimetres = Annotated[float, LENGTH_CM.field(), WrapValidator(LENGTH_CM.explain)]
Percent = Annotated[float, PERCENT.field(), WrapValidator(PERCENT.explain)]
Fraction = Annotated[float, FRACTION.field(), WrapValidator(FRACTION.explain)]
Minutes = Annotated[float, OPERATIVE_MIN.field(), WrapValidator(OPERATIVE_MIN.explain)]
Millilitres = Annotated[float, BLOOD_ML.field(), WrapValidator(BLOOD_ML.explain)]
Days = Annotated[int, DAYS.field(), WrapValidator(DAYS.explain)]
Months = Annotated[float, MONTHS.field(), WrapValidator(MONTHS.explain)]
MicromolPerLitre = Annotated[
    float, CREATININE_UMOL_L.field(), WrapValidator(CREATININE_UMOL_L.explain)
]
MitosesPer10Hpf = Annotated[int, MITOSES.field(), WrapValidator(MITOSES.explain)]
Years = Annotated[int, AGE_YEARS.field(), WrapValidator(AGE_YEARS.explain)]
HeightCm = Annotated[float, HEIGHT_CM.field(), WrapValidator(HEIGHT_CM.explain)]
WeightKg = Annotated[float, WEIGHT_KG.field(), WrapValidator(WEIGHT_KG.explain)]
GramsPerLitre = Annotated[float, HAEMOGLOBIN_G_L.field(), WrapValidator(HAEMOGLOBIN_G_L.explain)]
Ecog = Annotated[int, ECOG.field(), WrapValidator(ECOG.explain)]
AlphaBlockadeDays = Annotated[
    int, ALPHA_BLOCKADE_DAYS.field(), WrapValidator(ALPHA_BLOCKADE_DAYS.explain)
]
Cycles = Annotated[int, CYCLES.field(), WrapValidator(CYCLES.explain)]
Gray = Annotated[float, DOSE_GY.field(), WrapValidator(DOSE_GY.explain)]


def range_at(root: type[BaseModel], path: str) -> PlausibleRange | None:
    """The plausible range of the field at a dotted path (list indices skipped)."""
    from rvlms.case.io import field_info_at

    info = field_info_at(root, path.split("."))
    return field_range(info) if isinstance(info, FieldInfo) else None


def field_range(info: FieldInfo) -> PlausibleRange | None:
    """The plausible range a model field applies, or ``None``."""
    for meta in _metadata(info.annotation, info.metadata):
        owner = getattr(getattr(meta, "func", None), "__self__", None)
        if isinstance(owner, PlausibleRange):
            return owner
    return None


def _metadata(annotation: Any, own: list[Any]) -> list[Any]:
    import types
    import typing

    found = list(own)
    stack = [annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is Annotated:
            found.extend(typing.get_args(current)[1:])
            stack.append(typing.get_args(current)[0])
        elif typing.get_origin(current) in (typing.Union, types.UnionType, list):
            stack.extend(typing.get_args(current))
    return found
