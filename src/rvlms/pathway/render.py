"""Plans rendered as Markdown, for minutes, e-mail and exports, and the key-decision view
that every surface (terminal, Markdown, web page, PDF, CDS card) shows the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rvlms.pathway.plan import (
    DECISION_TITLES,
    DecidingFact,
    DecisionOut,
    EvidenceOut,
    OptionStatus,
    OrganResectionOut,
    Plan,
    Recommendation,
)

if TYPE_CHECKING:
    from rvlms.case import Case

__all__ = [
    "DecisionView",
    "OptionView",
    "PatientLine",
    "decision_views",
    "source_keys",
    "to_markdown",
]

DecisionState = Literal["decided", "undecided", "operation", "not_applicable"]

STATUS_MARK: dict[str, str] = {"met": "✓", "unknown": "?", "unmet": "✗"}
STATUS_TEXT: dict[str, str] = {"met": "met", "unknown": "unknown", "unmet": "not met"}
STATE_TEXT: dict[str, str] = {
    "decided": "decided",
    "undecided": "UNDECIDED",
    "operation": "done at surgery",
    "not_applicable": "not applicable",
}
_STATUS_ORDER = {"met": 0, "unknown": 1, "unmet": 2}
SAFE_HARBOR_AGE = 90


def words(value: str) -> str:
    return value.replace("_", " ")


def source_keys(evidence: list[EvidenceOut]) -> list[str]:
    """The bibliography keys of the evidence, each once, in order."""
    return list(dict.fromkeys(e.source for e in evidence))


@dataclass(frozen=True)
class PatientLine:
    """Who the plan is for, as the first line of every view: case id, age, sex, centre."""

    case_id: str
    age_years: int | None
    sex: str | None
    centre: str | None
    synthetic: bool = False

    @classmethod
    def of(cls, case: Case) -> PatientLine:
        sex = case.demographics.sex
        return cls(
            case_id=case.case_id,
            age_years=case.demographics.age_years,
            sex=str(sex.value) if sex is not None else None,
            centre=case.centre,
            synthetic=case.synthetic,
        )

    def age(self, deidentified: bool = False) -> str:
        if self.age_years is None:
            return "age not recorded"
        if deidentified and self.age_years >= SAFE_HARBOR_AGE:
            return f"{SAFE_HARBOR_AGE} years or older"
        return f"{self.age_years} years"

    def parts(self, deidentified: bool = False) -> list[str]:
        return [
            self.case_id,
            self.age(deidentified),
            self.sex or "sex not recorded",
            f"centre {self.centre}" if self.centre else "centre not recorded",
        ]

    def text(self, deidentified: bool = False) -> str:
        return " · ".join(self.parts(deidentified))


@dataclass(frozen=True)
class OptionView:
    option: str
    role: str
    status: OptionStatus
    condition: str
    missing: list[str]
    sources: list[str]
    rules: list[str]

    @property
    def mark(self) -> str:
        return STATUS_MARK[self.status]

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class DecisionView:
    """One row of the key decisions: the choice, or UNDECIDED with the facts that would
    choose, and every option with its condition (the contingency plan for theatre)."""

    name: str
    title: str
    state: DecisionState
    choice: str
    because: list[str]
    deciding: list[DecidingFact]
    note: str
    options: list[OptionView]
    done: bool = False

    @property
    def undecided(self) -> bool:
        return self.state == "undecided"

    @property
    def state_text(self) -> str:
        return STATE_TEXT[self.state]

    @property
    def headline(self) -> str:
        """The choice in one phrase, never ambiguous with an option name."""
        if self.state == "undecided":
            return "UNDECIDED"
        if self.state == "not_applicable":
            return "not applicable"
        if self.state == "operation":
            return f"{self.choice} — {self.operation_tag}"
        return self.choice

    @property
    def operation_tag(self) -> str:
        return "done at surgery" if self.done else self.note

    @property
    def deciding_text(self) -> str:
        return ", ".join(f.label for f in self.deciding)

    @property
    def open_options(self) -> list[OptionView]:
        return [o for o in self.options if o.status != "unmet"]

    @property
    def unmet_options(self) -> list[OptionView]:
        return [o for o in self.options if o.status == "unmet"]


def _options(items: list[OptionView]) -> list[OptionView]:
    return sorted(items, key=lambda o: _STATUS_ORDER[o.status])


def _single(name: str, d: DecisionOut) -> DecisionView:
    options = _options(
        [
            OptionView(
                option=words(o.option),
                role=o.role,
                status=o.status,
                condition=o.condition,
                missing=list(o.missing),
                sources=source_keys(o.evidence),
                rules=list(o.rules),
            )
            for o in d.options
        ]
    )
    deciding = list(d.deciding_facts) or [
        DecidingFact(fact=label, label=label) for label in d.undecided_because
    ]
    if d.decided_by == "not_applicable":
        state: DecisionState = "not_applicable"
        note = d.not_applicable_because or ""
    elif d.decided_by == "operation":
        state, note = "operation", "from the operative record"
    elif d.preferred is None:
        state = "undecided"
        note = "" if deciding else "no rule decides this for the case yet"
    else:
        state, note = "decided", ""
    choice = words(d.preferred) if d.preferred else ("none given" if state == "operation" else "")
    return DecisionView(
        name=name,
        title=DECISION_TITLES[name],
        state=state,
        choice=choice,
        because=list(d.because),
        deciding=deciding if state == "undecided" else [],
        note=note,
        options=options,
        done=state == "operation" and d.preferred is not None,
    )


def _organ_name(o: OrganResectionOut) -> str:
    return words(o.item) + (f" ({o.side})" if o.side else "")


def _organ_resection(items: list[OrganResectionOut], deciding: list[DecidingFact]) -> DecisionView:
    options = _options(
        [
            OptionView(
                option=_organ_name(o),
                role=o.role,
                status=o.status,
                condition=o.condition or "; ".join(o.because),
                missing=list(o.missing),
                sources=source_keys(o.evidence),
                rules=list(o.rules) or [o.rule],
            )
            for o in items
        ]
    )
    done = [o for o in items if o.role == "done"]
    recommended = [o for o in items if o.role == "recommended"]
    considered = [o for o in items if o.role == "consider"]
    contingent = [o for o in items if o.role == "contingent"]
    because = [fact for o in recommended or considered for fact in o.because]
    note = ""
    if done and len(done) == len(items):
        state: DecisionState = "operation"
        choice = ", ".join(_organ_name(o) for o in done)
        note = "from the operative record"
    elif recommended:
        state, choice = "decided", ", ".join(_organ_name(o) for o in recommended)
    elif contingent or deciding:
        state, choice = "undecided", ""
        if not deciding:
            labels = dict.fromkeys(m for o in contingent for m in o.missing)
            deciding = [DecidingFact(fact=label, label=label) for label in labels]
    elif considered:
        state = "decided"
        choice = "consider " + ", ".join(_organ_name(o) for o in considered)
    else:
        state, choice = "decided", "none indicated"
    return DecisionView(
        name="organ_resection",
        title=DECISION_TITLES["organ_resection"],
        state=state,
        choice=choice,
        because=because,
        deciding=deciding if state == "undecided" else [],
        note=note,
        options=options,
        done=state == "operation",
    )


def decision_views(plan: Plan) -> list[DecisionView]:
    """The key decisions in MDT order, organ resection after the reconstruction."""
    d = plan.decisions
    views = [_single(name, decision) for name, decision in d.by_name().items()]
    organ = _organ_resection(list(d.organ_resection), list(d.organ_resection_deciding_facts))
    at = next((i + 1 for i, v in enumerate(views) if v.name == "reconstruction"), len(views))
    return [*views[:at], organ, *views[at:]]


def _cites(evidence: list[EvidenceOut]) -> str:
    return "; ".join(f"[{e.source}] {e.locator}" for e in evidence)


def _item(r: Recommendation, mark: str = "") -> list[str]:
    flag = " — ⚑ SUPERSEDED" if r.status == "superseded" else ""
    lines = [
        f"- {mark}**{r.title}**{flag} ({r.strength}) — {r.text}",
        f"  - because: {'; '.join(r.because)}",
        f"  - evidence: {_cites(r.evidence)}",
    ]
    if r.superseded_by:
        keys = ", ".join(f"[{e.source}]" for e in r.superseded_by.evidence)
        lines.append(f"  - **newer evidence:** {r.superseded_by.text} ({keys})")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _decision_summary(v: DecisionView) -> str:
    if v.undecided:
        detail = f"deciding facts: {v.deciding_text}" if v.deciding else v.note
        return f"| {v.title} | **UNDECIDED** | {_cell(detail)} |"
    choice = f"**{v.headline}**"
    detail = "; ".join(v.because) or v.note or "—"
    return f"| {v.title} | {_cell(choice)} | {_cell(detail)} |"


def _option_line(o: OptionView) -> str:
    line = f"- {o.mark} {o.status_text} — **{o.option}** ({o.role}): {o.condition}"
    if o.status == "unknown" and o.missing:
        line += f"; needs {', '.join(o.missing)}"
    if o.sources:
        line += " " + " ".join(f"[{key}]" for key in o.sources)
    return line


def _decision_options(v: DecisionView) -> list[str]:
    if not v.options:
        return []
    head = f"**{v.title}** — {'UNDECIDED' if v.undecided else v.headline}"
    if v.undecided and v.deciding:
        head += f"; deciding facts: {v.deciding_text}"
    return ["", head, "", *(_option_line(o) for o in v.options)]


def to_markdown(plan: Plan, patient: PatientLine | None = None) -> str:
    c = plan.classification
    title = f"# MDT plan — {plan.case_id}" + (" (SYNTHETIC CASE)" if plan.synthetic else "")
    out = [title, ""]
    if patient is not None:
        out += [f"**Patient:** {patient.text()}", ""]
    out += [f"> {plan.notice}", ""]
    if plan.timepoint == "preoperative":
        out += ["*As of: before surgery — planned with what the MDT knew then.*", ""]
    if plan.warnings:
        out += ["## Warnings", ""]
        for w in plan.warnings:
            out += _item(w, "⚠ ")
        out.append("")
    views = decision_views(plan)
    out += [
        "## Key decisions",
        "",
        "| decision | choice | because / deciding facts |",
        "|---|---|---|",
    ]
    out += [_decision_summary(v) for v in views]
    out += ["", "### Options (✓ met, ? unknown, ✗ not met)"]
    for v in views:
        out += _decision_options(v)
    out += ["", "## Classification", ""]
    out.append(f"- IVC level: **{c.ivc_level or 'not known'}** ({c.ivc_level_source or '—'})")
    source = {"radiologist": "entered by the radiologist", "rule": "by rule"}.get(
        c.imaging_type_source or "", "—"
    )
    out.append(f"- Imaging type: **{c.imaging_type or 'not known'}** ({source})")
    out.append(f"- {c.definition}")
    out += [f"- {reason}" for reason in c.reasons]
    if plan.missing_facts:
        out += ["", "## Missing facts", "", "| fact | what it would decide |", "|---|---|"]
        out += [f"| `{m.fact}` ({m.label}) | {m.needed_for} |" for m in plan.missing_facts]
    out += [
        "",
        f"## Follow-up — {plan.follow_up_scheme}",
        "",
        "| months after surgery | date | what |",
        "|---|---|---|",
    ]
    out += [f"| {v.months_after_surgery} | {v.date or '—'} | {v.what} |" for v in plan.follow_up]
    alt = plan.follow_up_alternative
    if alt:
        months = ", ".join(str(v.months_after_surgery) for v in alt.visits)
        out += ["", f"Guideline alternative: {alt.label} — months {months}."]
    if plan.similar_cases:
        out += [
            "",
            "## Published cases like this one (published cases, selection-biased)",
            "",
            "| case | matched | what was done | outcome |",
            "|---|---|---|---|",
        ]
        for s in plan.similar_cases:
            done = "; ".join(f"{k}: {v}" for k, v in s.done.items()) or "not reported"
            out.append(
                f"| {s.id} — {_cell(s.summary)} | {_cell('; '.join(s.matched))} "
                f"| {_cell(done)} | {_cell(s.outcome)} |"
            )
    out += ["", "## Rule trace by stage"]
    for stage in plan.stages:
        if stage.recommendations:
            out += ["", f"### {stage.title}", ""]
            for r in stage.recommendations:
                out += _item(r)
    out += ["", "## Sources", ""]
    out += [
        f"- [{s.key}] {s.citation}{f' doi:{s.doi}' if s.doi else ''} (verification: {s.verified})"
        for s in plan.sources
    ]
    return "\n".join(out) + "\n"
