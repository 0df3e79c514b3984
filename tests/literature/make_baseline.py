"""Write the concordance baseline the CI ratchet compares against.

Run after a deliberate change of the rules or of the library:
    .venv/bin/python tests/literature/make_baseline.py
"""

from __future__ import annotations

import json
from pathlib import Path

from rvlms.concordance import measure
from rvlms.literature import published_cases

BASELINE = Path(__file__).with_name("concordance_baseline.json")


def snapshot() -> dict[str, object]:
    result = measure(published_cases())
    data = result.contract()
    data["per_case"] = {
        r.case: {
            name: {
                "done": d["done"],
                "preferred_match": d["preferred_match"],
                "in_options": d["in_options"],
            }
            for name, d in r.decisions.items()
        }
        for r in result.per_case or []
    }
    return data


if __name__ == "__main__":
    BASELINE.write_text(json.dumps(snapshot(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written: {BASELINE}")
