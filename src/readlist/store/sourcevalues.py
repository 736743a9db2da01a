"""The source's own value of a field a person set, kept beside theirs so `edit --reset` can give it back.

A person's title, abstract or venue wins over every fetch (store/provenance.py), but what the source says is
not thrown away: it waits in `details["source_values"]`, written when the person first sets the field (the
value they replaced) and whenever a fetch brings a newer one. `edit --reset` restores it at once, offline too;
only a field no source ever filled waits for the next fetch.
"""

from __future__ import annotations

from typing import Any, Protocol

KEY = "source_values"


class _HasDetails(Protocol):
    details: Any
    provenance: Any


def keep(item: _HasDetails, name: str, value: object) -> None:
    """Remember the source's `value` of field `name` (a new dict, so the JSON column is saved)."""
    if value is None or value == "":
        return
    details = dict(item.details or {})
    details[KEY] = {**details.get(KEY, {}), name: value}
    item.details = details


def take(item: _HasDetails, name: str) -> object | None:
    """The source's value of `name`, removed from what is kept (None when no source gave one)."""
    details = dict(item.details or {})
    kept = dict(details.get(KEY, {}))
    value: object | None = kept.pop(name, None)
    if kept:
        details[KEY] = kept
    else:
        details.pop(KEY, None)
    item.details = details
    return value
