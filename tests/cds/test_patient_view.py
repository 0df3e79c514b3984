"""patient-view: real CDS Hooks requests with FHIR R4B prefetch, answered with cited cards.

The patients are modelled on zhang2021 Table 1 case 1 (female, 33 years, 7.2 cm IVC
leiomyosarcoma on the right, renal and adrenal hormone work-up by catecholamines and VMA
only, no metanephrines) and on variants of it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from rvlms.pathway import load_knowledge

from .conftest import BASE_URL, CdsClient, load_request

PARAGANGLIOMA_RULES = {
    "presentation.sympathetic-symptoms",
    "workup.metanephrines-first",
    "workup.alpha-blockade-until-excluded",
    "mdt.no-biopsy-before-metanephrines",
}
ALL_FIXTURES = [
    "zhang2021_case1_no_metanephrines",
    "zhang2021_case1_normal_metanephrines",
    "raised_normetanephrine",
    "metastatic_after_resection",
]


def _topics(cards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["source"]["topic"]["code"]: c for c in cards if "topic" in c["source"]}


def _info(cards: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    matching = [c for c in cards if c["indicator"] == "info" and c["summary"].startswith(prefix)]
    assert len(matching) == 1, [c["summary"] for c in cards]
    return matching[0]


def test_case1_without_metanephrines_gets_a_paraganglioma_warning(cds: CdsClient) -> None:
    """zhang2021 (Methods, Table 1) screened with catecholamines and VMA, which do not exclude
    paraganglioma; Lenders 2014 asks for plasma free or urinary fractionated metanephrines
    before any biopsy or surgery."""
    cards = cds.cards(load_request("zhang2021_case1_no_metanephrines"))
    card = _topics(cards)["workup.metanephrines-first"]
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Paraganglioma is not excluded")
    assert "lenders2014" in card["detail"]
    assert "vanderveen2009" in card["detail"]
    assert "metanephrines measured (plasma free or urinary fractionated): no" in card["detail"]
    assert card["source"] == {
        "label": "Lenders et al. 2014",
        "url": "https://doi.org/10.1210/jc.2014-1498",
        "topic": {
            "system": "urn:rvlms:knowledge-rule",
            "code": "workup.metanephrines-first",
            "display": "Paraganglioma not excluded",
        },
    }
    assert all(reason["display"] for reason in card["overrideReasons"])


def test_case1_gets_zhang_alpha_blockade_warning(cds: CdsClient) -> None:
    """zhang2021 (Methods; Discussion) gave phenoxybenzamine for two weeks to every patient
    in whom paraganglioma could not be excluded (cases 1-3)."""
    card = _topics(cds.cards(load_request("zhang2021_case1_no_metanephrines")))[
        "workup.alpha-blockade-until-excluded"
    ]
    assert card["indicator"] == "warning"
    assert "phenoxybenzamine" in card["summary"]
    assert card["source"]["label"] == "Zhang et al. 2021"
    assert card["source"]["url"] == "https://doi.org/10.1186/s12893-021-01322-z"
    assert "zhang2021" in card["detail"]


def test_normal_metanephrines_give_no_paraganglioma_warning(cds: CdsClient) -> None:
    """Normal plasma free and urinary fractionated metanephrines exclude paraganglioma
    (Lenders 2014): none of the paraganglioma warnings may appear."""
    cards = cds.cards(load_request("zhang2021_case1_normal_metanephrines"))
    assert not PARAGANGLIOMA_RULES & set(_topics(cards))
    assert not any("paraganglioma is not excluded" in c["summary"].lower() for c in cards)
    assert all(c["indicator"] == "info" for c in cards)


def test_raised_normetanephrine_gives_the_alpha_blockade_warning(cds: CdsClient) -> None:
    """A normetanephrine above the reference range: manage as paraganglioma, alpha-blockade
    10-14 days with sodium and fluids (Lenders 2014; CHEP 2017 supplement table S8)."""
    cards = cds.cards(load_request("raised_normetanephrine"))
    card = _topics(cards)["workup.metanephrines-raised"]
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Metanephrines raised")
    assert "chep2017" in card["detail"] and "lenders2014" in card["detail"]
    assert "metanephrines raised: yes" in card["detail"]


def test_metastatic_disease_warns_that_surgery_is_not_first(cds: CdsClient) -> None:
    """A lung metastasis on record (ICD-10 C78.01): systemic therapy first; doxorubicin plus
    trabectedin improved PFS and OS in leiomyosarcoma (LMS-04, Pautier 2022)."""
    cards = cds.cards(load_request("metastatic_after_resection"))
    card = _topics(cards)["mdt.metastatic-at-presentation"]
    assert card["indicator"] == "warning"
    assert card["source"]["label"] == "Pautier et al. 2022"
    assert card["source"]["url"] == "https://doi.org/10.1016/S1470-2045(22)00380-1"
    assert "pautier2022_lms04" in card["detail"]
    assert "distant metastasis: yes" in card["detail"]


def test_plan_card_summarises_the_tumour_and_the_open_decisions(cds: CdsClient) -> None:
    """zhang2021 Table 1 case 1: IVC origin, right side, 7.2 cm. Without imaging details in
    the record the three surgical decisions stay open, and the card says so."""
    cards = cds.cards(load_request("zhang2021_case1_no_metanephrines"))
    card = _info(cards, "MDT plan:")
    assert card["summary"] == "MDT plan: IVC LMS, right, 7.2 cm; 3 surgical decisions undecided"
    detail = card["detail"]
    assert "**Approach:** undecided" in detail
    assert "`imaging.max_diameter_cm` = 7.2 cm (72 mm)" in detail
    assert "`labs.creatinine_umol_l` = 70.7 µmol/L (0.8 mg/dL × 88.4)" in detail
    assert "`demographics.age_years` = 33 years on 2026-11-21" in detail
    assert "**Not used**" in detail and "Observation/haemoglobin" in detail
    assert "**zhang2021**" in detail and "https://doi.org/10.1186/s12893-021-01322-z" in detail


def test_missing_facts_card_names_what_the_reconstruction_needs(cds: CdsClient) -> None:
    """The reconstruction depends on IVC patency, collaterals and the share of the wall
    involved (Yoshidome; JVS-VL 2024; WJS 2020); the card asks for exactly those facts."""
    cards = cds.cards(load_request("zhang2021_case1_no_metanephrines"))
    card = _info(cards, "To choose the")
    assert "reconstruction" in card["summary"]
    detail = card["detail"]
    needed = ("IVC patency", "collateral veins on imaging", "`imaging.wall_circumference_pct`")
    for fact in needed:
        assert fact in detail
    assert "wjs2020_ivc_reconstruction" in detail and "yoshidome" in detail


def test_after_resection_the_pathology_report_is_the_specimen(cds: CdsClient) -> None:
    """A pathology report dated after the nephrectomy and IVC resection is read as the
    resection specimen, not as a pre-operative biopsy."""
    detail = _info(cds.cards(load_request("metastatic_after_resection")), "MDT plan:")["detail"]
    assert "`pathology.histology` = leiomyosarcoma" in detail
    assert "report not before the operation on record (rvlms proposal)" in detail
    assert "`pathology.fnclcc_grade` = G3" in detail
    assert "`pathology.margin` = R1" in detail
    assert "Condition/ruled-out-paraganglioma: verification status refuted" in detail
    assert "2 observations hidden by consent" in detail


def test_a_patient_without_the_disease_gets_no_cards(cds: CdsClient) -> None:
    """patient-view fires on every chart: without a leiomyosarcoma or retroperitoneal
    malignancy on record the answer is the spec's empty list."""
    response = cds.post("/cds-services/rvlms-mdt-plan", json=load_request("not_in_scope"))
    assert response.status_code == 200
    assert response.json() == {"cards": []}


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_every_card_is_short_cited_and_links_to_the_plan(cds: CdsClient, fixture: str) -> None:
    """Spec: summary under 140 characters; our rule: every card cites its evidence and
    links to the full plan (absolute link on the configured public base URL, opening the
    launch page of this answer: test_launch.py follows it)."""
    request = load_request(fixture)
    cards = cds.cards(request)
    keys = set(load_knowledge().sources)
    plan_url = cards[0]["links"][0]["url"]
    assert re.fullmatch(re.escape(f"{BASE_URL}/cds/launch/") + r"[A-Za-z0-9_\-]{43}", plan_url)
    assert cards
    assert len({c["uuid"] for c in cards}) == len(cards)
    for card in cards:
        assert 0 < len(card["summary"]) < 140, card["summary"]
        assert "\n" not in card["summary"]
        assert card["indicator"] in {"info", "warning", "critical"}
        assert card["source"]["label"]
        cited = set(re.findall(r"\*\*([a-z0-9_]+)\*\*|\(([a-z0-9_, ]+)\)", card["detail"]))
        found = {key for pair in cited for part in pair for key in part.split(", ")} & keys
        assert found, card["detail"]
        assert card["links"] == [
            {"label": "Full MDT plan in rvlms", "url": plan_url, "type": "absolute"}
        ]
        assert "not an order" in card["detail"]


def test_card_uuids_are_stable_per_hook_instance(cds: CdsClient) -> None:
    """A retried call (same hookInstance) returns the same card uuids, so feedback on either
    answer names the same cards; a new invocation gets new uuids."""
    request = load_request("zhang2021_case1_no_metanephrines")
    first = [c["uuid"] for c in cds.cards(request)]
    assert [c["uuid"] for c in cds.cards(request)] == first
    request["hookInstance"] = "6a3f0a84-1b0e-4d7e-a1c5-59b8e6a4a0f2"
    assert not set(first) & {c["uuid"] for c in cds.cards(request)}


def _condition(request: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = request["prefetch"]["conditions"]["entry"][0]["resource"]
    return resource


def test_a_retroperitoneal_liposarcoma_gets_no_cards(cds: CdsClient) -> None:
    """ICD-10 C48.0 with the morphology of a liposarcoma (ICD-O-3 8850/3) is a
    retroperitoneal sarcoma of another kind: the leiomyosarcoma map does not apply."""
    request = load_request("zhang2021_case1_no_metanephrines")
    condition = _condition(request)
    condition["extension"][0]["valueCodeableConcept"]["coding"][0].update(
        code="8850/3", display="Liposarcoma, NOS"
    )
    condition["code"]["text"] = "Retroperitoneal liposarcoma"
    assert cds.cards(request) == []


def test_a_retroperitoneal_mass_before_histology_is_in_scope(cds: CdsClient) -> None:
    """Before any histology (ICD-10 C48.0 only) the paraganglioma question matters most:
    zhang2021 (Discussion) lists paraganglioma in the differential diagnosis, and Lenders
    2014 asks for metanephrines before any biopsy."""
    request = load_request("zhang2021_case1_no_metanephrines")
    condition = _condition(request)
    del condition["extension"]
    condition["code"]["text"] = "Retroperitoneal mass, suspected sarcoma"
    cards = cds.cards(request)
    assert "workup.metanephrines-first" in _topics(cards)
    assert "(histology not on record)" in _info(cards, "MDT plan:")["detail"]
