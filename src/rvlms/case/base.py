"""Shared base model and typed units of the case record."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rvlms.case.vocab import TestResult


class RecordModel(BaseModel):
    """Base of every part of the case record.

    Unknown keys are refused rather than ignored: a misspelt field in a case file would
    otherwise silently become a missing fact and change the plan.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
    )


Centimetres = Annotated[float, Field(gt=0, le=100, json_schema_extra={"unit": "cm"})]
Percent = Annotated[float, Field(ge=0, le=100, json_schema_extra={"unit": "%"})]
Fraction = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[float, Field(gt=0, le=2880, json_schema_extra={"unit": "min"})]
Millilitres = Annotated[float, Field(ge=0, le=100000, json_schema_extra={"unit": "ml"})]
Days = Annotated[int, Field(ge=0, le=3650, json_schema_extra={"unit": "d"})]
Months = Annotated[float, Field(ge=0, le=600, json_schema_extra={"unit": "months"})]
MicromolPerLitre = Annotated[float, Field(gt=0, le=5000, json_schema_extra={"unit": "µmol/L"})]
MitosesPer10Hpf = Annotated[int, Field(ge=0, le=500, json_schema_extra={"unit": "per 10 HPF"})]


class LabTest(RecordModel):
    """One laboratory result: the qualitative reading always, the number when it is known.

    zhang2021 Table 1 reports the renal and adrenal hormone tests only as "Normal", so the
    qualitative ``result`` is the field the decision map reads; ``value`` and ``unit`` keep
    the measurement for the record.
    """

    result: TestResult = TestResult.not_done
    value: float | None = None
    unit: str | None = None
    upper_limit_of_normal: float | None = None

    @property
    def done(self) -> bool:
        return self.result is not TestResult.not_done
