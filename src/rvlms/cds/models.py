"""The CDS Hooks 2.0 documents: discovery, service request, cards and feedback.

Field names follow the specification (HL7 CDS Hooks 2.0.1, ``index.md`` §Discovery,
§Calling a CDS Service, §CDS Service Response, §Feedback); Python attributes are snake_case
with the specification's camelCase as alias. No Python library implements CDS Hooks 2.0
(ecosystem brief §1), so the documents are modelled here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "SUMMARY_LIMIT",
    "AcceptedSuggestion",
    "Action",
    "Card",
    "CdsRequest",
    "CdsResponse",
    "Coding",
    "DiscoveryResponse",
    "FeedbackItem",
    "FeedbackRequest",
    "FhirAuthorization",
    "Link",
    "OverrideReason",
    "PatientViewContext",
    "ServiceDefinition",
    "Source",
    "Suggestion",
]

SUMMARY_LIMIT = 139
"""The specification asks for a summary of fewer than 140 characters."""


class _Document(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", str_strip_whitespace=True)


class _Open(BaseModel):
    """Parts that a later version of the specification may extend: unknown keys are kept."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")


class Coding(_Open):
    system: str | None = None
    code: str = Field(min_length=1)
    display: str | None = None


class ServiceDefinition(_Document):
    hook: str
    id: str
    title: str | None = None
    description: str
    prefetch: dict[str, str] = Field(default_factory=dict)
    usage_requirements: str | None = Field(default=None, alias="usageRequirements")


class DiscoveryResponse(_Document):
    services: list[ServiceDefinition]


class FhirAuthorization(_Open):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None


class PatientViewContext(_Open):
    """Context of the ``patient-view`` hook (CDS Hooks Library, patient-view, maturity 5)."""

    patient_id: str = Field(
        alias="patientId", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-.]{1,64}$"
    )
    user_id: str | None = Field(default=None, alias="userId")
    encounter_id: str | None = Field(default=None, alias="encounterId")


class CdsRequest(_Open):
    hook: Literal["patient-view"]
    hook_instance: str = Field(alias="hookInstance", min_length=1, max_length=200)
    fhir_server: str | None = Field(default=None, alias="fhirServer")
    fhir_authorization: FhirAuthorization | None = Field(default=None, alias="fhirAuthorization")
    context: PatientViewContext
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> CdsRequest:
        if self.fhir_authorization is not None and not self.fhir_server:
            raise ValueError("fhirServer: required when fhirAuthorization is sent")
        return self


class Link(_Document):
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"
    app_context: str | None = Field(default=None, alias="appContext")
    autolaunchable: bool | None = None


class Source(_Document):
    label: str
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(_Document):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resource_id: str | None = Field(default=None, alias="resourceId")


class Suggestion(_Document):
    label: str
    uuid: str | None = None
    is_recommended: bool | None = Field(default=None, alias="isRecommended")
    actions: list[Action] = Field(default_factory=list)


class Card(_Document):
    uuid: str | None = None
    summary: str = Field(min_length=1, max_length=SUMMARY_LIMIT)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selection_behavior: Literal["at-most-one", "any"] | None = Field(
        default=None, alias="selectionBehavior"
    )
    override_reasons: list[Coding] | None = Field(default=None, alias="overrideReasons")
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection_with_suggestions(self) -> Card:
        if self.suggestions and self.selection_behavior is None:
            raise ValueError("selectionBehavior is required when suggestions are given")
        for reason in self.override_reasons or []:
            if not reason.display:
                raise ValueError("overrideReasons: every Coding needs a display")
        return self


class CdsResponse(_Document):
    cards: list[Card]
    system_actions: list[Action] | None = Field(default=None, alias="systemActions")


class AcceptedSuggestion(_Open):
    id: str = Field(min_length=1, max_length=200)


class OverrideReason(_Open):
    reason: Coding | None = None
    user_comment: str | None = Field(default=None, alias="userComment", max_length=4000)


class FeedbackItem(_Open):
    card: str = Field(min_length=1, max_length=64, description="uuid of the card")
    outcome: Literal["accepted", "overridden"]
    accepted_suggestions: list[AcceptedSuggestion] = Field(
        default_factory=list, alias="acceptedSuggestions"
    )
    override_reason: OverrideReason | None = Field(default=None, alias="overrideReason")
    outcome_timestamp: AwareDatetime = Field(alias="outcomeTimestamp")

    @model_validator(mode="after")
    def _reason_only_when_overridden(self) -> FeedbackItem:
        if self.outcome == "accepted" and self.override_reason is not None:
            raise ValueError("overrideReason: only for overridden outcomes")
        return self


class FeedbackRequest(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=1000)
