"""Card text rules: summaries under 140 characters, short references, the card model."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rvlms.cds.cards import short_reference, truncate
from rvlms.cds.models import Card, Source
from rvlms.pathway import load_knowledge


def test_short_text_is_kept() -> None:
    assert truncate("  Paraganglioma  is not\nexcluded. ") == "Paraganglioma is not excluded."


def test_long_text_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 60
    cut = truncate(text)
    assert len(cut) < 140
    assert cut.endswith("word…")


def test_no_trailing_punctuation_before_the_ellipsis() -> None:
    cut = truncate("a" * 120 + ", bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 130)
    assert cut == "a" * 120 + "…"


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("zhang2021", "Zhang et al. 2021"),
        ("yang2025", "Yang et al. 2025"),
        ("lenders2014", "Lenders et al. 2014"),
        ("pautier2022_lms04", "Pautier et al. 2022"),
        ("chep2017", "Hypertension Canada CHEP 2017 guidelines"),
        ("rvlms_proposal", "rvlms proposal"),
        ("radiopaedia_ivc_lms", "Radiopaedia"),
    ],
)
def test_short_references_from_the_bibliography(key: str, label: str) -> None:
    assert short_reference(load_knowledge().sources[key]) == label


def test_every_bibliography_entry_has_a_short_label() -> None:
    for entry in load_knowledge().sources.values():
        label = short_reference(entry)
        assert 0 < len(label) <= 70, label


def test_the_card_model_refuses_a_summary_of_140_characters() -> None:
    """CDS Hooks 2.0.1 §Card Attributes: summary '<140-character'."""
    source = Source(label="Zhang et al. 2021")
    Card(summary="x" * 139, indicator="info", source=source)
    with pytest.raises(ValidationError):
        Card(summary="x" * 140, indicator="info", source=source)


def test_suggestions_need_a_selection_behavior() -> None:
    with pytest.raises(ValidationError, match="selectionBehavior"):
        Card.model_validate(
            {
                "summary": "s",
                "indicator": "info",
                "source": {"label": "l"},
                "suggestions": [{"label": "do it"}],
            }
        )
