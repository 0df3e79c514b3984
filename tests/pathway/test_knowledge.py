"""The knowledge base is complete and honest: every citation resolves, every fact exists,
outdated evidence is flagged with what overtook it."""

from __future__ import annotations

import pytest

from rvlms.errors import KnowledgeBaseError
from rvlms.pathway import CATALOGUE, Stage, Status, load_knowledge
from rvlms.pathway.knowledge import DECISION_OPTIONS, KnowledgeBase, check_knowledge


def test_loads_and_every_citation_resolves() -> None:
    kb = load_knowledge()
    assert kb.unresolved_citations() == []
    assert len(kb.rules) >= 50


def test_every_rule_names_known_facts() -> None:
    for rule in load_knowledge().rules:
        assert rule.facts() <= set(CATALOGUE), rule.id


def test_every_stage_has_rules() -> None:
    stages = {rule.stage for rule in load_knowledge().rules}
    assert stages == set(Stage)


def test_every_decision_option_is_reachable() -> None:
    """Each controlled option of every decision has a rule that can prefer or propose it.
    Chemoradiotherapy is in the perioperative vocabulary to record what teams did; no source
    supports proposing it for retroperitoneal leiomyosarcoma."""
    kb = load_knowledge()
    for decision, options in DECISION_OPTIONS.items():
        voted = {v.option for r in kb.rules for v in r.decides if v.decision is decision}
        expected = options - {"robotic"} if decision.value == "approach" else options
        if decision.value in ("neoadjuvant", "adjuvant"):
            expected = expected - {"chemoradiotherapy"}
        if decision.value == "organ_resection":
            assert {"nephrectomy", "partial_adrenalectomy", "liver_resection"} <= voted
        else:
            assert expected <= voted, (decision, expected - voted)


@pytest.mark.parametrize(
    ("rule_id", "overtaken_by"),
    [
        ("systemic.zhang-olaratumab", "announce2019_olaratumab"),
        ("adjuvant.zhang-radiotherapy", "bonvalot2020_strass"),
        ("systemic.zhang-doxorubicin-ifosfamide", "judson2014_eortc62012"),
        ("systemic.zhang-doxorubicin-ifosfamide", "pautier2022_lms04"),
        ("adjuvant.zhang-chemotherapy", "pdq_sts"),
        ("neoadjuvant.zhang-criteria", "strass2_eligibility"),
        ("workup.zhang-hormone-panel", "lenders2014"),
    ],
)
def test_outdated_evidence_is_flagged(rule_id: str, overtaken_by: str) -> None:
    """Clinical brief §6.8: Zhang 2021 statements overtaken by newer trials."""
    rule = load_knowledge().rule(rule_id)
    assert rule.status is Status.superseded
    assert rule.superseded_by is not None
    assert overtaken_by in {e.source for e in rule.superseded_by.evidence}


def test_proposals_cite_the_proposal_source() -> None:
    for rule in load_knowledge().rules:
        if rule.strength.value == "proposal":
            assert "rvlms_proposal" in {e.source for e in rule.evidence}, rule.id


def test_unresolved_citation_fails_loudly() -> None:
    kb = load_knowledge()
    rule = kb.rules[0].model_copy(
        update={"evidence": (kb.rules[0].evidence[0].model_copy(update={"source": "nobody2099"}),)}
    )
    broken = KnowledgeBase(rules=(rule,), sources=kb.sources, follow_up=kb.follow_up)
    assert broken.unresolved_citations() == [(rule.id, "nobody2099")]


def test_bad_decision_option_refused() -> None:
    data = load_knowledge().rule("vascular.partial-clamp").model_dump(by_alias=True)
    data["decides"][0]["option"] = "satinsky"
    from rvlms.pathway import Rule

    with pytest.raises(ValueError, match="not a vascular_control option"):
        Rule.model_validate(data)


def test_cross_checks_report_each_problem() -> None:
    kb = load_knowledge()
    assert check_knowledge(kb) == []
    rule = kb.rule("vascular.partial-clamp")
    data = rule.model_dump(by_alias=True, exclude_none=True)
    data["when"] = {"fact": "tumour_colour", "is": "grey"}
    data["evidence"] = [{"source": "nobody2099", "locator": "p. 1"}]
    from rvlms.pathway import Rule

    odd = Rule.model_validate(data)
    broken = KnowledgeBase(rules=(rule, rule, odd), sources=kb.sources, follow_up=kb.follow_up)
    problems = "\n".join(check_knowledge(broken))
    assert "duplicate rule id" in problems
    assert "unknown fact(s) tumour_colour" in problems
    assert "citation 'nobody2099' not in the bibliography" in problems


def test_knowledge_error_is_a_server_error() -> None:
    assert KnowledgeBaseError.status == 500
