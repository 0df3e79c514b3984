"""Plans rendered as Markdown, for minutes, e-mail and exports."""

from __future__ import annotations

from rvlms.pathway.plan import DecisionOut, EvidenceOut, Plan, Recommendation


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


def _decision_row(name: str, d: DecisionOut) -> str:
    preferred = d.preferred or (
        "open — missing: " + (", ".join(d.undecided_because) or "no rule applies")
    )
    return (
        f"| {name.replace('_', ' ')} | {preferred} | {', '.join(d.alternatives) or '—'} "
        f"| {'; '.join(d.because) or '—'} |"
    )


def to_markdown(plan: Plan) -> str:
    c = plan.classification
    title = f"# MDT plan — {plan.case_id}" + (" (SYNTHETIC CASE)" if plan.synthetic else "")
    out = [title, "", f"> {plan.notice}", ""]
    if plan.timepoint == "preoperative":
        out += ["*As of: before surgery — planned with what the MDT knew then.*", ""]
    out += ["## Classification", ""]
    out.append(f"- IVC level: **{c.ivc_level or 'not known'}** ({c.ivc_level_source or '—'})")
    source = {"radiologist": "entered by the radiologist", "rule": "by rule"}.get(
        c.imaging_type_source or "", "—"
    )
    out.append(f"- Imaging type: **{c.imaging_type or 'not known'}** ({source})")
    out.append(f"- {c.definition}")
    out += [f"- {reason}" for reason in c.reasons]
    if plan.warnings:
        out += ["", "## Warnings", ""]
        for w in plan.warnings:
            out += _item(w, "⚠ ")
    d = plan.decisions
    out += [
        "",
        "## Key decisions",
        "",
        "| decision | preferred | alternatives | because |",
        "|---|---|---|---|",
    ]
    out += [
        _decision_row(n, getattr(d, n)) for n in ("approach", "vascular_control", "reconstruction")
    ]
    out += [
        f"| organ resection | {o.item}{f' ({o.side})' if o.side else ''} — {o.role} | — "
        f"| {'; '.join(o.because)} |"
        for o in d.organ_resection
    ]
    for stage in plan.stages:
        if stage.recommendations:
            out += ["", f"## {stage.title}", ""]
            for r in stage.recommendations:
                out += _item(r)
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
    out += ["", "## Sources", ""]
    out += [
        f"- [{s.key}] {s.citation}{f' doi:{s.doi}' if s.doi else ''} (verification: {s.verified})"
        for s in plan.sources
    ]
    return "\n".join(out) + "\n"
