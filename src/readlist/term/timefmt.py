"""Local time for people (TZ respected); stored and JSON times stay ISO-8601 UTC."""

from __future__ import annotations

import os
import time
from datetime import datetime
from functools import lru_cache

_zone: list[object] = [object()]


def _sync_zone() -> None:
    """Re-read TZ when it changed (tests and long-lived callers set it after start)."""
    current = os.environ.get("TZ")
    if current != _zone[0]:
        _zone[0] = current
        time.tzset()
        _local.cache_clear()
        _date.cache_clear()


@lru_cache(maxsize=65536)
def _local(stamp: str) -> datetime | None:
    if len(stamp) <= 10:  # a date alone (published 2024-08-21) has no zone to convert
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        return moment.astimezone()
    except OverflowError:  # the first or last hours of the calendar, moved by a zone out of years 1-9999
        return moment


def local(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    _sync_zone()
    return _local(stamp)


def date(stamp: str | None) -> str:
    """`2026-11-22` in local time (a date-only value is shown as it is)."""
    if not stamp:
        return ""
    _sync_zone()
    return _date(stamp)


@lru_cache(maxsize=65536)
def _date(stamp: str) -> str:
    moment = _local(stamp)
    return f"{moment.year:04d}-{moment:%m-%d}" if moment else stamp[:10]  # %Y writes the year 99 as `99`


def minute(stamp: str | None) -> str:
    """`2026-11-22 11:55` in local time."""
    if not stamp:
        return ""
    moment = local(stamp)
    return f"{moment.year:04d}-{moment:%m-%d %H:%M}" if moment else stamp


def iso(stamp: str | None) -> str:
    """`2026-11-22T11:55:52+08:00`: local, and still exact for programs."""
    if not stamp:
        return ""
    moment = local(stamp)
    return moment.isoformat() if moment else stamp


def short_date(value: str) -> str:
    """`11-22` from `2026-11-22` (a table too narrow for the year)."""
    return value[5:10] if len(value) >= 10 and value[4] == "-" else value
