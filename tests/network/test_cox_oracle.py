"""Federated Cox against R ``survival::coxph`` for both tie rules.

Twenty patients with tied event times, split over two centres. The expected numbers
were produced with R 4.2, survival package, by::

    library(survival)
    time  <- c(2, 3, 3, 5, 6, 6, 6, 8, 9, 11, 12, 12, 14, 15, 15, 18, 20, 22, 24, 30)
    event <- c(1, 1, 0, 1, 1, 1, 0, 1, 0, 1,  1,  1,  0,  1,  0,  1,  0,  1,  0,  0)
    group <- factor(GROUPS, levels = c("intraluminal", "intermediate", "peripheral"))
    for (ties in c("breslow", "efron")) {
      fit <- coxph(Surv(time, event) ~ group, ties = ties,
                   control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15))
      cat(ties, sprintf("%.15f", coef(fit)), sprintf("%.15f", sqrt(diag(vcov(fit)))), "\\n")
    }

(``GROUPS`` is the list below.) R prints: breslow 0.485267675008112 -0.123750731867871
(se 0.672249729387597 0.764790671830099); efron 0.490978694402832 -0.141777704406500
(se 0.672276090772897 0.764705341813715).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rvlms.network import AnalysisPlan, InProcessTransport, NodePolicy, run_federated

TIME = [2, 3, 3, 5, 6, 6, 6, 8, 9, 11, 12, 12, 14, 15, 15, 18, 20, 22, 24, 30]
EVENT = [1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0]
GROUPS = ["intraluminal", "intermediate", "intraluminal", "peripheral", "intermediate"]
GROUPS += ["intraluminal", "peripheral", "intermediate", "intraluminal", "peripheral"]
GROUPS += ["intraluminal", "intermediate", "peripheral", "intraluminal", "intermediate"]
GROUPS += ["peripheral", "intraluminal", "intermediate", "peripheral", "intraluminal"]

R_COXPH = {
    "breslow": ([0.485267675008112, -0.123750731867871], [0.672249729387597, 0.764790671830099]),
    "efron": ([0.490978694402832, -0.141777704406500], [0.672276090772897, 0.764705341813715]),
}


def _centres() -> list[tuple[NodePolicy, pd.DataFrame]]:
    frame = pd.DataFrame(
        {"dfs_months": TIME, "dfs_event": EVENT, "imaging_type": GROUPS, "synthetic": 1}
    )
    out = []
    for name, part in (("A", frame.iloc[:10]), ("B", frame.iloc[10:])):
        policy = NodePolicy(centre=name, registry="unused", min_cell=1, times="exact")
        out.append((policy, part.reset_index(drop=True)))
    return out


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_federated_cox_equals_r_coxph(ties: str) -> None:
    plan = AnalysisPlan.model_validate(
        {
            "ties": ties,
            "categorical": [],
            "continuous": [],
            "endpoints": ["dfs"],
            "min_events_per_variable": 1,
        }
    )
    cox = run_federated(InProcessTransport(_centres()), plan).cox
    assert cox is not None and cox.fitted
    assert [t.term for t in cox.terms] == ["imaging_type[intermediate]", "imaging_type[peripheral]"]
    coefficients, errors = R_COXPH[ties]
    for term, beta, se in zip(cox.terms, coefficients, errors, strict=True):
        assert term.hazard_ratio is not None and term.ci95[1] is not None
        assert math.log(term.hazard_ratio) == pytest.approx(beta, abs=1e-8)
        upper = (math.log(term.ci95[1]) - math.log(term.hazard_ratio)) / 1.959963984540054
        assert upper == pytest.approx(se, abs=1e-8)
