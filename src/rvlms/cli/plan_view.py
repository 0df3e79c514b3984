"""The plan as rich text, readable on a meeting-room screen: warnings first, then the key
decisions, the stages, what is missing, the follow-up calendar and the sources."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rvlms.imaging import Classification
from rvlms.pathway.plan import ClassificationOut, Plan, Recommendation

_STRENGTH_STYLE = {"strong": "bold", "moderate": "", "weak": "dim", "proposal": "italic magenta"}


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


def _recommendation(r: Recommendation) -> Text:
    text = Text()
    text.append(r.title, style="bold")
    if r.status == "superseded":
        text.append("  ⚑ SUPERSEDED", style="bold yellow")
    text.append(f"  ({r.strength})", style=_STRENGTH_STYLE.get(r.strength, ""))
    text.append(f"\n  {r.text}")
    text.append(f"\n  because: {'; '.join(r.because)}", style="cyan")
    cites = "; ".join(f"{e.source} — {e.locator}" for e in r.evidence)
    text.append(f"\n  evidence: {cites}", style="dim")
    if r.superseded_by is not None:
        newer = ", ".join(e.source for e in r.superseded_by.evidence)
        text.append(f"\n  newer evidence: {r.superseded_by.text} ({newer})", style="yellow")
    return text


def render_plan(plan: Plan, console: Console) -> None:
    synthetic = " — SYNTHETIC CASE" if plan.synthetic else ""
    as_of = " — as of before surgery" if plan.timepoint == "preoperative" else ""
    console.print(
        classification_panel(plan.classification, f"MDT plan: {plan.case_id}{synthetic}{as_of}")
    )
    if plan.warnings:
        body = Group(*(_recommendation(w) for w in plan.warnings))
        console.print(Panel(body, title="⚠ Warnings", border_style="bold red"))

    decisions = Table(title="Key decisions", show_lines=True, expand=True)
    for column in ("decision", "preferred", "alternatives", "because"):
        decisions.add_column(column)
    for name in ("approach", "vascular_control", "reconstruction"):
        d = getattr(plan.decisions, name)
        preferred = (
            Text(d.preferred, style="bold green")
            if d.preferred
            else Text(
                "open — missing: " + (", ".join(d.undecided_because) or "no rule applies"),
                style="yellow",
            )
        )
        decisions.add_row(
            name.replace("_", " "),
            preferred,
            ", ".join(d.alternatives) or "—",
            "; ".join(d.because) or "—",
        )
    for organ in plan.decisions.organ_resection:
        decisions.add_row(
            "organ resection",
            f"{organ.item} ({organ.side or '—'}) — {organ.role}",
            "",
            "; ".join(organ.because),
        )
    console.print(decisions)

    for stage in plan.stages:
        if stage.recommendations:
            body = Group(*(_recommendation(r) for r in stage.recommendations))
            console.print(Panel(body, title=stage.title, border_style="blue"))

    if plan.missing_facts:
        missing = Table(title="Missing facts — what they would decide", expand=True)
        missing.add_column("fact")
        missing.add_column("what it would decide")
        for m in plan.missing_facts:
            missing.add_row(f"{m.fact}\n({m.label})", m.needed_for)
        console.print(missing)

    follow = Table(title=f"Follow-up — {plan.follow_up_scheme}")
    follow.add_column("month", justify="right")
    follow.add_column("date")
    for visit in plan.follow_up:
        follow.add_row(str(visit.months_after_surgery), str(visit.date or "—"))
    console.print(follow)
    if plan.follow_up:
        console.print(f"At each visit: {plan.follow_up[0].what}", style="dim")
    if plan.follow_up_alternative is not None:
        alt = plan.follow_up_alternative
        months = ", ".join(str(v.months_after_surgery) for v in alt.visits)
        console.print(f"Guideline alternative: {alt.label} — months {months}", style="dim")

    sources = Text(
        "\n".join(f"[{s.key}] {s.citation} (verification {s.verified})" for s in plan.sources)
    )
    console.print(Panel(sources, title="Sources", border_style="dim"))
    console.print(plan.notice, style="italic")
