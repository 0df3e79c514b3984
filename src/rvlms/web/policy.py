"""Who may do what: three roles, one table of permitted actions.

- ``clinician`` treats patients and sees the full case record, identifiers included.
- ``researcher`` sees de-identified data only: no names, record numbers or exact dates
  (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)), and cohort counts below
  ``Settings.min_cell_count`` suppressed.
- ``admin`` manages accounts and reads the audit log, and sees no patient data.

Anything not listed is denied; the reason names the role and the action, so a refusal
explains itself (as datasette's permission results carry a reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PERMISSIONS", "Action", "Decision", "Role", "decide"]


class Role(StrEnum):
    clinician = "clinician"
    researcher = "researcher"
    admin = "admin"


class Action(StrEnum):
    """Every authorized action; the value is what the audit log records."""

    case_list = "case.list"
    case_read = "case.read"
    case_create = "case.create"
    case_update = "case.update"
    case_history = "case.history"
    case_plan = "case.plan"
    case_follow_up = "case.follow_up"
    case_explain = "case.explain"
    report_plan = "report.plan"
    report_cohort = "report.cohort"
    cohort_read = "cohort.read"
    plan_adhoc = "plan.adhoc"
    classify = "classify"
    score = "score"
    user_list = "user.list"
    user_create = "user.create"
    user_update = "user.update"
    token_create = "token.create"
    token_revoke = "token.revoke"
    audit_read = "audit.read"
    audit_export = "audit.export"
    literature_read = "literature.read"


_TOOLS = frozenset({Action.plan_adhoc, Action.classify, Action.score, Action.literature_read})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.clinician: _TOOLS
    | {
        Action.case_list,
        Action.case_read,
        Action.case_create,
        Action.case_update,
        Action.case_history,
        Action.case_plan,
        Action.case_follow_up,
        Action.case_explain,
        Action.report_plan,
        Action.report_cohort,
        Action.cohort_read,
    },
    Role.researcher: _TOOLS
    | {
        Action.case_list,
        Action.case_read,
        Action.case_plan,
        Action.case_explain,
        Action.report_plan,
        Action.report_cohort,
        Action.cohort_read,
    },
    Role.admin: _TOOLS
    | {
        Action.user_list,
        Action.user_create,
        Action.user_update,
        Action.token_create,
        Action.token_revoke,
        Action.audit_read,
        Action.audit_export,
    },
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def decide(role: Role, action: Action) -> Decision:
    if action in PERMISSIONS[role]:
        return Decision(True, f"role {role.value} may {action.value}")
    return Decision(
        False,
        f"the {role.value} role may not {action.value}"
        + (" (researchers see de-identified data only)" if role is Role.researcher else ""),
    )
