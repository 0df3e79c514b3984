"""The published-case library, the similar-case search and the concordance contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from rvlms.cli.main import app
from rvlms.concordance import CHECKS, DECISIONS
from rvlms.examples import load_zhang2021
from rvlms.literature import load_library, published_cases, similar_cases

runner = CliRunner()
BASELINE = Path(__file__).with_name("concordance_baseline.json")


def test_corpus_is_large_and_every_case_cites_a_findable_publication() -> None:
    library = published_cases()
    assert len(library) >= 40
    for entry in library:
        c = entry.citation
        assert c.doi or c.pmid or c.url, entry.id
        assert 1900 < c.year <= 2026, entry.id
        assert entry.quote.strip(), entry.id
        assert not entry.id.startswith(("zhang2021", "yang2025"))


def test_corpus_spreads_over_vessels_and_reconstructions() -> None:
    library = list(published_cases())
    origins = {e.case.imaging.vessel_of_origin for e in library}
    assert {"ivc", "adrenal_gland"} <= {o.value for o in origins if o}
    done = {r.value for e in library for r in (e.done.reconstruction or [])}
    assert {"primary_repair", "patch", "tube_graft", "ligation"} <= done


def test_similar_cases_explain_what_matched() -> None:
    """Zhang 2021 case 4 (IVC level II, right kidney adherent, 10.7 cm): its nearest published
    neighbours are IVC tumours of level II, and the match names those features."""
    case4 = load_zhang2021()[3]
    found = similar_cases(case4, published_cases(), k=3)
    assert len(found) == 3
    for s in found:
        assert "vessel of origin: ivc" in s.matched
        assert "IVC level: II" in s.matched
        assert s.label == "published cases, selection-biased"
    assert found[0].score >= found[-1].score


def test_similar_cases_never_return_the_case_itself() -> None:
    entry = next(iter(published_cases()))
    assert entry.id not in {s.id for s in similar_cases(entry.case, published_cases(), k=50)}


def test_concordance_json_contract() -> None:
    result = runner.invoke(app, ["concordance", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"cases", "decisions", "overall", "safety_violations"}
    assert data["cases"] == len(published_cases())
    assert set(data["decisions"]) == set(DECISIONS)
    keys = {"known", "preferred_match", "in_options", "undecided"}
    assert all(set(v) == keys for v in data["decisions"].values())
    assert set(data["overall"]) == keys


def test_concordance_ratchet_and_no_safety_violation() -> None:
    """No plan breaks a safety check, and no decision that agreed with the team (preferred, or
    among the options) at the committed baseline stops agreeing, case by case; cases added or
    re-encoded since (their answer changed) are not held to the old figures."""
    from .make_baseline import snapshot

    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = snapshot()
    assert now["safety_violations"] == []
    regressions = []
    for case, decisions in baseline["per_case"].items():
        for name, then in decisions.items():
            current = now["per_case"].get(case, {}).get(name)  # type: ignore[attr-defined]
            if current is None or current["done"] != then["done"]:
                continue
            for key in ("preferred_match", "in_options"):
                if then[key] and not current[key]:
                    regressions.append((case, name, key))
    assert regressions == []


def test_concordance_on_a_centres_own_folder(tmp_path: Path) -> None:
    """--cases DIR runs on any folder of the same layout."""
    entry = published_cases().cases[0]
    (tmp_path / f"{entry.id}.yaml").write_text(
        yaml.safe_dump(entry.model_dump(mode="json", exclude_none=True), allow_unicode=True),
        encoding="utf-8",
    )
    assert len(load_library(tmp_path)) == 1
    result = runner.invoke(app, ["concordance", "--cases", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 1


def test_bad_corpus_file_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\ncitation: {authors: A}\nquote: short\n")
    result = runner.invoke(app, ["concordance", "--cases", str(tmp_path)])
    assert result.exit_code == 1
    assert "citation" in result.output


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_safety_check_is_documented(check: str) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`{check}`" in readme


def test_analyze_published_is_labelled() -> None:
    result = runner.invoke(app, ["analyze", "--published"])
    assert result.exit_code == 0, result.output
    assert "published cases, selection-biased" in result.stdout


def test_plan_in_the_terminal_and_markdown_lists_similar_published_cases() -> None:
    """Zhang 2021 case 2 (right renal-vein LMS): its nearest published cases come from the
    renal vein, and both readable formats show them with what matched."""
    from rvlms.examples import zhang2021_paths

    case2 = str(zhang2021_paths()[1])
    nearest = similar_cases(load_zhang2021()[1], published_cases(), 5)
    for fmt in ("text", "markdown"):
        result = runner.invoke(
            app,
            ["plan", case2, "--format", fmt, "--as-of", "preoperative"],
            env={"COLUMNS": "250"},
        )
        assert result.exit_code == 0, result.output
        assert "Published cases like this one" in result.stdout
        assert nearest[0].id in result.stdout
