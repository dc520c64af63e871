"""The review queue's filters, from the query string (a GET form, so a filtered view can be bookmarked)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from hia_service.domain.framework.validation import parse_date
from hia_service.services.review.record import QueueFilters

SEARCH_MAX = 200


def queue_filters(args: MultiDict[str, str]) -> tuple[QueueFilters, dict[str, str]]:
    """The filters, and a message for each date that could not be read (that date is then ignored)."""
    errors: dict[str, str] = {}
    decision_from = _date(args, "decision_from", "Decision date from", errors)
    decision_to = _date(args, "decision_to", "Decision date to", errors)
    if decision_from and decision_to and decision_from > decision_to:
        errors["decision_to"] = "Decision date to must be the same as or after decision date from"
        decision_to = None
    filters = QueueFilters(
        statuses=tuple(args.getlist("status")),
        ratings=tuple(args.getlist("rating")),
        directorate=(args.get("directorate") or "").strip() or None,
        decision_from=decision_from,
        decision_to=decision_to,
        search=(args.get("q") or "").strip()[:SEARCH_MAX] or None,
    )
    return filters, errors


def _date(args: MultiDict[str, str], name: str, what: str, errors: dict[str, str]) -> date | None:
    raw = {part: args.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
    value, problem = parse_date(raw, what)
    if problem:
        errors[name] = problem
        return None
    return date.fromisoformat(value) if value else None


def requested_page(args: MultiDict[str, str]) -> int:
    """The page asked for; not a whole number means the first (the service keeps it in range)."""
    raw = args.get("page", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 1


def page_links(args: MultiDict[str, str], page: int, pages: int) -> dict[str, str | None]:
    """Addresses of the previous and next pages, keeping every filter (the query string is the form)."""
    kept = [(key, value) for key, value in args.items(multi=True) if key != "page"]

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        return f"{url_for('review.queue')}?{urlencode([*kept, ('page', str(number))])}"

    return {"previous": link(page - 1), "next": link(page + 1)}
