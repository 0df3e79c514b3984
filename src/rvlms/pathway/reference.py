"""The rule reference, generated from the knowledge files (docs/rules.md is this output)."""

from __future__ import annotations

from rvlms.pathway.knowledge import STAGE_TITLES, KnowledgeBase, Stage, load_knowledge


def rules_markdown(kb: KnowledgeBase | None = None) -> str:
    kb = kb or load_knowledge()
    out = [
        "# Decision-map rules",
        "",
        "Generated from `src/rvlms/knowledge/` by `rvlms rules --markdown`; do not edit.",
        "",
    ]
    for stage in Stage:
        rules = [r for r in kb.rules if r.stage is stage]
        out += [f"## {STAGE_TITLES[stage]}", ""]
        for rule in rules:
            kind = "⚠ warning" if rule.kind == "warning" else "recommendation"
            status = " — **superseded**" if rule.superseded_by else ""
            out += [
                f"### `{rule.id}` — {rule.title}",
                "",
                f"*{kind}, strength {rule.strength.value}{status}*",
                "",
                rule.text,
                "",
            ]
            out.append(
                "Evidence: " + "; ".join(f"`{e.source}` ({e.locator})" for e in rule.evidence)
            )
            if rule.superseded_by:
                keys = ", ".join(f"`{e.source}`" for e in rule.superseded_by.evidence)
                out += ["", f"Superseded by: {rule.superseded_by.text} ({keys})"]
            if rule.decides:
                votes = ", ".join(
                    f"{v.decision.value} → {v.option} ({v.role})" for v in rule.decides
                )
                out += ["", f"Decides: {votes}"]
            out.append("")
    out += ["## Bibliography", ""]
    out += [f"- `{s.key}` ({s.verified}): {s.citation}" for s in kb.sources.values()]
    return "\n".join(out) + "\n"
