"""The decision map drawn as a graph (Graphviz DOT or Mermaid), optionally with the path
one case took: rules that fired are highlighted, undecided ones marked, the rest greyed."""

from __future__ import annotations

import itertools
import shutil
import subprocess

from rvlms.case import Case
from rvlms.errors import InputError
from rvlms.pathway.conditions import Truth
from rvlms.pathway.engine import evaluate_case
from rvlms.pathway.knowledge import STAGE_TITLES, KnowledgeBase, Stage, load_knowledge

FIRED, UNDECIDED, SILENT = "fired", "undecided", "silent"
_DOT_STYLE = {
    FIRED: 'style="filled,bold" fillcolor="#c6efce" color="#1e7b34"',
    UNDECIDED: 'style="filled,dashed" fillcolor="#ffeb9c" color="#9c6500"',
    SILENT: 'style="filled" fillcolor="#f2f2f2" color="#bfbfbf" fontcolor="#7f7f7f"',
    None: 'style="filled" fillcolor="#ffffff" color="#4d4d4d"',
}


def _node(rule_id: str) -> str:
    return "r_" + rule_id.replace(".", "_").replace("-", "_")


def rule_states(case: Case | None, kb: KnowledgeBase) -> dict[str, str | None]:
    if case is None:
        return {rule.id: None for rule in kb.rules}
    _, _, outcomes = evaluate_case(case, kb)
    return {
        o.rule.id: {Truth.true: FIRED, Truth.unknown: UNDECIDED}.get(o.truth, SILENT)
        for o in outcomes
    }


def _label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def to_dot(case: Case | None = None, kb: KnowledgeBase | None = None) -> str:
    kb = kb or load_knowledge()
    states = rule_states(case, kb)
    title = f"rvlms decision map — {case.case_id}" if case else "rvlms decision map"
    lines = [
        "digraph rvlms {",
        f'  label="{_label(title)}"; labelloc=t; fontname="Helvetica"; rankdir=LR; '
        "compound=true; nodesep=0.12; ranksep=0.5;",
        '  node [shape=box fontname="Helvetica" fontsize=10];',
    ]
    previous: str | None = None
    prev_stage = ""
    for stage in Stage:
        rules = [r for r in kb.rules if r.stage is stage]
        if not rules:
            continue
        lines.append(f"  subgraph cluster_{stage.value} {{")
        lines.append(f'    label="{STAGE_TITLES[stage]}"; style=rounded; color="#4d6e9c";')
        for rule in rules:
            mark = "⚠ " if rule.kind == "warning" else ""
            extra = "\\n(superseded)" if rule.status.value == "superseded" else ""
            lines.append(
                f'    {_node(rule.id)} [label="{mark}{_label(rule.title)}{extra}" '
                f"{_DOT_STYLE[states[rule.id]]}];"
            )
        lines.append("  }")
        first = _node(rules[0].id)
        if previous is not None:
            lines.append(
                f"  {previous} -> {first} [ltail=cluster_{prev_stage} lhead=cluster_{stage.value}];"
            )
        previous, prev_stage = first, stage.value
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(case: Case | None = None, kb: KnowledgeBase | None = None) -> str:
    kb = kb or load_knowledge()
    states = rule_states(case, kb)
    lines = ["flowchart TB"]
    stages = [s for s in Stage if any(r.stage is s for r in kb.rules)]
    for stage in stages:
        lines.append(f'  subgraph {stage.value}["{STAGE_TITLES[stage]}"]')
        lines.append("    direction TB")
        for rule in (r for r in kb.rules if r.stage is stage):
            mark = "⚠ " if rule.kind == "warning" else ""
            text = _label(rule.title).replace('"', "'")
            lines.append(f'    {_node(rule.id)}["{mark}{text}"]')
        lines.append("  end")
    lines.extend(f"  {a.value} --> {b.value}" for a, b in itertools.pairwise(stages))
    lines += [
        "  classDef fired fill:#c6efce,stroke:#1e7b34,stroke-width:2px",
        "  classDef undecided fill:#ffeb9c,stroke:#9c6500,stroke-dasharray:4",
        "  classDef silent fill:#f2f2f2,stroke:#bfbfbf,color:#7f7f7f",
    ]
    for state in (FIRED, UNDECIDED, SILENT):
        members = [_node(rid) for rid, s in states.items() if s == state]
        if members:
            lines.append(f"  class {','.join(members)} {state}")
    return "\n".join(lines) + "\n"


def to_svg(case: Case | None = None, kb: KnowledgeBase | None = None) -> str:
    """Render the DOT graph with Graphviz's ``dot`` (Debian package graphviz)."""
    dot = shutil.which("dot")
    if dot is None:
        raise InputError(
            "SVG needs Graphviz's 'dot' program (Debian package graphviz); "
            "use --format dot or --format mermaid instead"
        )
    result = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(case, kb), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise InputError(f"dot failed: {result.stderr.strip()}")
    return result.stdout
