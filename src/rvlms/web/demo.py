"""Demonstration data for ``rvlms serve --demo``: the four zhang2021 patients, a synthetic
cohort, and a one-time clinician login.

The synthetic cohort comes from :func:`rvlms.synth.synthesize` (Yang 2025-anchored
distributions, every row ``synthetic``) and is stored through the registry's bulk path
(``Registry.add_many``) as minimal case records: each cohort column goes to the case field
it was derived from (``rvlms.case.cohort_row`` in reverse), so the registry's cohort
table reproduces the generated one. Nothing here is patient data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from rvlms.errors import Conflict
from rvlms.examples import load_zhang2021
from rvlms.registry import Registry
from rvlms.synth.cases import DEFAULT_SEED, DEFAULT_SYNTHETIC, synthetic_cases
from rvlms.web.accounts import Accounts
from rvlms.web.policy import Role

__all__ = ["DEMO_USER", "DemoLogin", "demo_login", "load_demo", "synthetic_cases"]

DEMO_USER = "demo"
DEMO_LOADER = "rvlms-demo"


@dataclass(frozen=True)
class DemoLogin:
    """The clinician login, and one login per other role so the researcher's de-identified
    view and the admin's users and audit log can be tried too."""

    username: str
    password: str
    cases_added: int
    others: tuple[tuple[Role, str, str], ...] = ()


def demo_login(
    accounts: Accounts, username: str = DEMO_USER, role: Role = Role.clinician
) -> tuple[str, str]:
    """A fresh random password for a demo account (created when missing)."""
    password = secrets.token_urlsafe(12)
    if accounts.by_name(username) is None:
        accounts.add(username, role, password, created_by=DEMO_LOADER)
    else:
        accounts.set_password(username, password)
        accounts.set_active(username, True)
    return username, password


def load_demo(
    registry: Registry,
    accounts: Accounts,
    *,
    n_synthetic: int = DEFAULT_SYNTHETIC,
    seed: int = DEFAULT_SEED,
) -> DemoLogin:
    """Add the demonstration cases that are not in the registry yet, and a demo login."""
    present = {s.case_id for s in registry.list(include_deleted=True)}
    cases = [
        c
        for c in [*load_zhang2021(), *synthetic_cases(n_synthetic, seed)]
        if c.case_id not in present
    ]
    added = 0
    if cases:
        try:
            added = registry.add_many(cases, DEMO_LOADER)
        except Conflict:
            added = 0
    username, password = demo_login(accounts)
    others = tuple(
        (role, *demo_login(accounts, f"{DEMO_USER}-{role.value}", role))
        for role in (Role.researcher, Role.admin)
    )
    return DemoLogin(username=username, password=password, cases_added=added, others=others)
