"""Files the MDT takes away: the plan and cohort reports as PDF, the follow-up as iCalendar.

The PDFs are WeasyPrint renderings of the same Jinja2 templates as the screen, so the
printed plan carries the same warnings, evidence and sources. The calendar is written
with the ``icalendar`` package (RFC 5545): one all-day event per dated visit of the
zhang2021 schedule (Methods: one month after surgery, every three months for two years,
every six months afterwards), named by case id only, since calendar files travel
further than the registry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvlms.pathway import Plan
from rvlms.web.rendering import render_string, stylesheet

__all__ = ["follow_up_ics", "html_to_pdf", "render_pdf"]

PRODID = "-//rvlms//MDT follow-up calendar//EN"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(template: str, footer_text: str, **context: Any) -> bytes:
    html = render_string(template, stylesheet=stylesheet(), footer_text=footer_text, **context)
    return html_to_pdf(html)


def follow_up_ics(plan: Plan, generated_at: dt.datetime) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"rvlms follow-up {plan.case_id}")
    for visit in plan.follow_up:
        if visit.date is None:
            continue
        event = Event()
        event.add("uid", f"{plan.case_id}-m{visit.months_after_surgery}@rvlms")
        event.add("dtstamp", generated_at)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + dt.timedelta(days=1))
        event.add(
            "summary",
            f"Follow-up {plan.case_id}: {visit.months_after_surgery} months after surgery",
        )
        event.add("description", f"{visit.what}\nSchedule: {plan.follow_up_scheme}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ical = calendar.to_ical()
    return bytes(ical)
