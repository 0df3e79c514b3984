"""The MDT web app and the REST API: accounts and roles, an append-only audit log,
de-identified views for researchers, cited plans, cohort dashboards and PDF reports.

Example::

    from rvlms.settings import load_settings
    from rvlms.web import create_app

    app = create_app(load_settings(db="sqlite:///registry.sqlite3"))
"""

from rvlms.web.accounts import Accounts, IssuedToken, User
from rvlms.web.app import create_app
from rvlms.web.audit import AuditEvent, AuditLog
from rvlms.web.demo import DemoLogin, load_demo
from rvlms.web.policy import Action, Role

__all__ = [
    "Accounts",
    "Action",
    "AuditEvent",
    "AuditLog",
    "DemoLogin",
    "IssuedToken",
    "Role",
    "User",
    "create_app",
    "load_demo",
]
