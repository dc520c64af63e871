"""Template filters for dates, times and shares in the NHS style ("3 March 2026", "14:02 on 3 March 2026")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint

from hia_service.documents.wording import compared_with_nation
from hia_service.geography import RELEASES
from hia_service.services.assessments.authoring import travel_change_of
from hia_service.services.review.answers import long_date
from hia_service.services.review.decisions import local_time


def when(moment: datetime | None) -> str:
    return local_time(moment) if moment else ""


def day(value: date | str | None) -> str:
    return long_date(value) if value else ""


def percent(share: Any) -> str:
    return "" if share is None else f"{float(share) * 100:.0f}%"


def release_title(release: str | None) -> str:
    """'IoD2025' -> 'English Indices of Deprivation 2025': the data set named in full with its year."""
    info = RELEASES.get(release or "")
    return info.title if info is not None else (release or "")


def times_share(ratio: Any, national: Any = None, nation: str | None = None) -> str:
    """'1.9 times the England share (20%)', with a capital letter to start a table cell."""
    if ratio is None:
        return ""
    share = float(national) if national is not None else None
    text = compared_with_nation(float(ratio), share, nation or "England")
    return text[:1].upper() + text[1:]


def travel(answers: Any) -> Any:
    """Who travels further, as frozen with a version's answers (None if the sites were not given)."""
    return travel_change_of(answers if isinstance(answers, dict) else None)


def short_hash(value: str | None) -> str:
    return value[:12] if value else ""


def register_display_filters(bp: Blueprint) -> None:
    bp.add_app_template_filter(when, "hia_when")
    bp.add_app_template_filter(day, "hia_day")
    bp.add_app_template_filter(percent, "hia_percent")
    bp.add_app_template_filter(short_hash, "hia_hash")
    bp.add_app_template_filter(release_title, "hia_release")
    bp.add_app_template_filter(times_share, "hia_times_share")
    bp.add_app_template_filter(travel, "hia_travel")
