"""Decision-map speed, each as a ratio to a baseline measured in the same run.

- one plan vs validating the same case with pydantic alone (target <= 10);
- plans for the four zhang2021 examples repeated, per plan, vs validating them (target <= 10);
- ``rvlms plan`` cold start vs ``python -c "import pydantic"`` (target <= 3);
- what the parsed-file cache buys: the cold start with the cache vs with ``RVLMS_CACHE_DIR=off``.

Cold starts run with bytecode caching allowed and after one warm-up run, as an installed
rvlms runs: ``PYTHONDONTWRITEBYTECODE`` would otherwise time the compiler as well.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from run import Row, measure
from rvlms.case import Case
from rvlms.examples import load_zhang2021, zhang2021_paths
from rvlms.pathway import build_plan, load_knowledge

REPEAT = 50


def _wall(command: list[str], runs: int = 7, **env: str) -> float:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment.update(env)
    subprocess.run(command, check=True, capture_output=True, env=environment)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=environment)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def run() -> list[Row]:
    load_knowledge()
    cases = load_zhang2021()
    documents = [c.model_dump(mode="json", exclude_defaults=True) for c in cases]
    one_plan = measure(lambda: build_plan(cases[3]), repeat=7, number=50)
    one_validation = measure(lambda: Case.model_validate(documents[3]), repeat=7, number=50)

    def plans() -> None:
        for _ in range(REPEAT):
            for document in documents:
                build_plan(Case.model_validate(document))

    def validations() -> None:
        for _ in range(REPEAT):
            for document in documents:
                Case.model_validate(document)

    per_plan = measure(plans, repeat=5, number=1) / (REPEAT * len(documents))
    per_validation = measure(validations, repeat=5, number=1) / (REPEAT * len(documents))
    python = sys.executable
    rvlms = str(Path(python).with_name("rvlms"))
    plan_command = [rvlms, "plan", str(zhang2021_paths()[3]), "--format", "json"]
    cold_plan = _wall(plan_command)
    cold_plan_uncached = _wall(plan_command, RVLMS_CACHE_DIR="off")
    cold_pydantic = _wall([python, "-c", "import pydantic"])
    return [
        Row("plan latency, one case (zhang2021 case 4)", one_plan, one_validation, "s", 10.0),
        Row("plans for the 4 examples repeated, per plan", per_plan, per_validation, "s", 10.0),
        Row("rvlms plan cold start", cold_plan, cold_pydantic, "s", 3.0),
        Row(
            "rvlms plan cold start, parsed-file cache on vs off",
            cold_plan,
            cold_plan_uncached,
            "s",
            1.0,
        ),
    ]
