"""Where an item's fields came from (`item.provenance`): what a person set stays theirs, a guess gives way.

A field a person typed (`add --title`, `edit`) is "user": no fetch, feed or import replaces it until
`edit --reset` hands it back to the source. A title read from a link's text is a "guess": real metadata may
replace it. A field named by neither came from a source (or, in a library older than migration 0011, from
somewhere unknown), and fetching keeps it current as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Origin(StrEnum):
    USER = "user"
    GUESS = "guess"


# The fields a person can set and hand back (`edit --FIELD`, `edit --reset FIELD`).
OWNABLE = ("title", "short_name", "abstract", "venue", "affiliation", "rating")


def user_fields(provenance: Mapping[str, str] | None) -> list[str]:
    """The fields a person set, in a stable order (what `show --json` lists)."""
    return sorted(name for name, origin in (provenance or {}).items() if origin == Origin.USER)


def is_users(provenance: Mapping[str, str] | None, name: str) -> bool:
    return (provenance or {}).get(name) == Origin.USER


def is_guess(provenance: Mapping[str, str] | None, name: str) -> bool:
    return (provenance or {}).get(name) == Origin.GUESS


def claimed(provenance: Mapping[str, str] | None, names: Iterable[str]) -> dict[str, str]:
    """`provenance` with these fields marked as the user's (a new dict: JSON columns are saved when replaced)."""
    return {**(provenance or {}), **{name: Origin.USER.value for name in names}}


def released(provenance: Mapping[str, str] | None, names: Iterable[str]) -> dict[str, str]:
    """`provenance` without marks on these fields: they are the source's again (a new dict)."""
    gone = set(names)
    return {name: origin for name, origin in (provenance or {}).items() if name not in gone}
