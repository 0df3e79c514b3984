"""The plan as rich text, readable on a meeting-room screen: the patient, the warnings and
the key decisions with their options first; then what is missing, the follow-up calendar,
the rule trace by stage and the sources."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rvlms.imaging import Classification
from rvlms.pathway.plan import ClassificationOut, Plan, Recommendation
from rvlms.pathway.render import DecisionView, OptionView, PatientLine, decision_views

_STRENGTH_STYLE = {"strong": "bold", "moderate": "", "weak": "dim", "proposal": "italic magenta"}
_STATUS_STYLE = {"met": "bold green", "unknown": "bold yellow", "unmet": "dim"}
_STATE_STYLE = {
    "decided": "bold green",
    "undecided": "bold black on yellow",
    "operation": "bold cyan",
    "not_applicable": "dim",
}


def _classification_lines(c: Classification | ClassificationOut) -> Text:
    text = Text()
    text.append("IVC level: ", style="bold")
    text.append(f"{c.ivc_level.value if c.ivc_level else 'not known'}")
    if len(c.ivc_levels) > 1:
        text.append(f" (levels {', '.join(v.value for v in c.ivc_levels)})")
    if c.ivc_level_source:
        text.append(f"  [{c.ivc_level_source}]", style="dim")
    text.append("\nImaging type: ", style="bold")
    text.append(c.imaging_type.value if c.imaging_type else "not known")
    if c.imaging_type_source:
        text.append(f"  [{c.imaging_type_source}]", style="dim")
    text.append(f"\n{c.definition}", style="italic")
    for reason in c.reasons:
        text.append(f"\n• {reason}")
    return text


def classification_panel(c: Classification | ClassificationOut, title: str) -> Panel:
    return Panel(_classification_lines(c), title=title, border_style="blue")


def _keys(keys: list[str], most: int | None = None) -> str:
    shown = keys if most is None else keys[:most]
    more = f" +{len(keys) - len(shown)}" if len(keys) > len(shown) else ""
    return " ".join(f"[{key}]" for key in shown) + more


def _recommendation(r: Recommendation) -> Text:
    text = Text()
    text.append(r.title, style="bold")
    if r.status == "superseded":
        text.append("  ⚑ SUPERSEDED", style="bold yellow")
    text.append(f"  ({r.strength})", style=_STRENGTH_STYLE.get(r.strength, ""))
    text.append(f"\n  {r.text}")
    text.append(f"\n  because: {'; '.join(r.because)}", style="cyan")
    cites = "; ".join(f"[{e.source}] {e.locator}" for e in r.evidence)
    text.append(f"\n  evidence: {cites}", style="dim")
    if r.superseded_by is not None:
        newer = ", ".join(e.source for e in r.superseded_by.evidence)
        text.append(f"\n  newer evidence: {r.superseded_by.text} ({newer})", style="yellow")
    return text


def _warning(w: Recommendation) -> Text:
    text = Text()
    text.append(f"⚠ {w.title}", style="bold red")
    if w.status == "superseded":
        text.append("  ⚑ SUPERSEDED", style="bold yellow")
    text.append(f"  ({w.strength})", style=_STRENGTH_STYLE.get(w.strength, ""))
    text.append(f"\n  {w.text}")
    text.append(f"\n  because: {'; '.join(w.because)}", style="cyan")
    keys = list(dict.fromkeys(e.source for e in w.evidence))
    text.append(f"  {_keys(keys)}", style="dim")
    return text


def _header(plan: Plan, patient: PatientLine | None) -> Panel:
    c = plan.classification
    text = Text()
    if patient is not None:
        text.append("Patient: ", style="bold")
        text.append(patient.text())
    else:
        text.append("Case: ", style="bold")
        text.append(plan.case_id)
    if plan.synthetic:
        text.append("  SYNTHETIC CASE", style="bold magenta")
    text.append("\nIVC level ", style="bold")
    text.append(c.ivc_level.value if c.ivc_level else "not known")
    if len(c.ivc_levels) > 1:
        text.append(f" (levels {', '.join(v.value for v in c.ivc_levels)})")
    text.append(" · imaging type ", style="bold")
    text.append(c.imaging_type.value if c.imaging_type else "not known")
    if plan.timepoint == "preoperative":
        text.append("\nAs of before surgery: planned with what the MDT knew then", style="italic")
    as_of = " — as of before surgery" if plan.timepoint == "preoperative" else ""
    return Panel(text, title=f"MDT plan: {plan.case_id}{as_of}", border_style="bold blue")


def _verdict(v: DecisionView) -> Text:
    text = Text()
    style = _STATE_STYLE[v.state]
    if v.undecided:
        text.append(" UNDECIDED ", style=style)
        if v.deciding:
            text.append("  deciding facts: ", style="bold")
            text.append(v.deciding_text, style="yellow")
        elif v.note:
            text.append(f"  {v.note}", style="dim")
        return text
    text.append(v.headline, style=style)
    detail = "; ".join(v.because) or v.note
    if detail:
        text.append(f"\n{detail}", style="dim cyan" if v.because else "dim")
    return text


def _option_row(o: OptionView) -> tuple[Text, Text, Text]:
    dim = "dim" if o.status == "unmet" else ""
    status = Text(f"{o.mark} {o.status_text}", style=_STATUS_STYLE[o.status])
    name = Text(o.option, style="dim" if dim else "bold")
    name.append(f" ({o.role})", style="dim italic")
    condition = Text(o.condition, style=dim)
    if o.status == "unknown" and o.missing:
        condition.append(f"\nneeds: {', '.join(o.missing)}", style="yellow")
    if o.sources:
        condition.append(f"  {_keys(o.sources, 2)}", style="dim")
    return status, name, condition


def _unmet_line(v: DecisionView) -> Text:
    text = Text("✗ not met: ", style="dim bold")
    text.append(", ".join(o.option for o in v.unmet_options), style="dim")
    return text


def decisions_table(plan: Plan) -> Table:
    """Every key decision with its choice (or UNDECIDED) and each option's condition."""
    table = Table(
        title="Key decisions — options: ✓ met  ? unknown  ✗ not met",
        show_lines=True,
        expand=True,
        title_style="bold",
    )
    views = decision_views(plan)
    width = max(len(v.title) for v in views) + 2
    table.add_column("decision", style="bold", width=width, overflow="fold")
    table.add_column("choice and options", ratio=1)
    for v in views:
        options = Table.grid(padding=(0, 1), expand=True)
        options.add_column(min_width=9, no_wrap=True)
        options.add_column(ratio=3, min_width=12, overflow="fold")
        options.add_column(ratio=9, overflow="fold")
        for o in v.open_options:
            options.add_row(*_option_row(o))
        parts: list[Text | Table] = [_verdict(v)]
        if v.open_options:
            parts.append(options)
        if v.unmet_options:
            parts.append(_unmet_line(v))
        body = Group(*parts)
        table.add_row(v.title, body)
    return table


def _follow_up(plan: Plan) -> Panel:
    text = Text("months after surgery (date): ", style="bold")
    text.append(
        ", ".join(
            f"{v.months_after_surgery}" + (f" ({v.date})" if v.date else "") for v in plan.follow_up
        )
        or "none scheduled"
    )
    whats = list(dict.fromkeys(v.what for v in plan.follow_up))
    if len(whats) == 1:
        text.append(f"\nat each visit: {whats[0]}", style="dim")
    elif whats:
        text.append(
            "\n" + "\n".join(f"month {v.months_after_surgery}: {v.what}" for v in plan.follow_up)
        )
    alt = plan.follow_up_alternative
    if alt is not None:
        months = ", ".join(str(v.months_after_surgery) for v in alt.visits)
        text.append(f"\nGuideline alternative: {alt.label} — months {months}", style="dim")
    return Panel(text, title=f"Follow-up — {plan.follow_up_scheme}", border_style="blue")


def similar_table(plan: Plan) -> Table:
    table = Table(
        title="Published cases like this one (published cases, selection-biased)", expand=True
    )
    for column in ("case", "matched", "what was done", "outcome"):
        table.add_column(column, overflow="fold")
    for s in plan.similar_cases:
        done = "; ".join(f"{k}: {v}" for k, v in s.done.items()) or "not reported"
        table.add_row(f"{s.id}\n{s.summary}", "; ".join(s.matched), done, s.outcome)
    return table


def render_plan(plan: Plan, console: Console, patient: PatientLine | None = None) -> None:
    console.print(_header(plan, patient))
    if plan.warnings:
        body = Group(*(_warning(w) for w in plan.warnings))
        console.print(Panel(body, title="⚠ Warnings", border_style="bold red"))
    console.print(decisions_table(plan))

    if plan.missing_facts:
        missing = Table(title="Missing facts — what they would decide", expand=True)
        missing.add_column("fact")
        missing.add_column("what it would decide")
        for m in plan.missing_facts:
            missing.add_row(f"{m.fact}\n({m.label})", m.needed_for)
        console.print(missing)

    console.print(_follow_up(plan))
    if plan.similar_cases:
        console.print(similar_table(plan))

    console.print(classification_panel(plan.classification, "Classification"))
    console.rule("Rule trace by stage")
    for stage in plan.stages:
        if stage.recommendations:
            body = Group(*(_recommendation(r) for r in stage.recommendations))
            console.print(Panel(body, title=stage.title, border_style="blue"))

    sources = Text(
        "\n".join(f"[{s.key}] {s.citation} (verification {s.verified})" for s in plan.sources)
    )
    console.print(Panel(sources, title="Sources", border_style="dim"))
    console.print(plan.notice, style="italic")
