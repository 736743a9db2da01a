"""Where an item's fields came from (`item.provenance`): what a person set stays theirs, a guess gives way.

A field a person typed (`add --title`, `edit`) is "user": no fetch, feed or import replaces it until
`edit --reset` hands it back to the source. A title read from a link's text is a "guess": real metadata may
replace it. A field named by neither came from a source (or, in a library older than migration 0011, from
somewhere unknown), and fetching keeps it current as before.

A person's mark names them when readlist knows who (`user:bob`, migration 0017's release on): in a team
library `show` tells the fields you set ("yours") from those another member set ("set by bob"). A bare `user`
(set before that, or by an import of an export) is taken as set by whoever added the item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Origin(StrEnum):
    USER = "user"
    GUESS = "guess"


# The fields a person can set and hand back (`edit --FIELD`, `edit --reset FIELD`).
OWNABLE = ("title", "short_name", "abstract", "venue", "affiliation", "rating")


def _is_user(origin: object) -> bool:
    return isinstance(origin, str) and (origin == Origin.USER or origin.startswith(Origin.USER + ":"))


def user_fields(provenance: Mapping[str, str] | None) -> list[str]:
    """The fields a person set, in a stable order (what `show --json` lists)."""
    return sorted(name for name, origin in (provenance or {}).items() if _is_user(origin))


def is_users(provenance: Mapping[str, str] | None, name: str) -> bool:
    return _is_user((provenance or {}).get(name))


def setters(provenance: Mapping[str, str] | None, adder: str | None) -> dict[str, str]:
    """field → the member who set it, for the fields a person set; a mark that names nobody is the adder's
    (left out when the item has no adder: an import)."""
    found = {}
    for name, origin in (provenance or {}).items():
        if _is_user(origin):
            who = origin.partition(":")[2] or adder
            if who:
                found[name] = who
    return found


def is_guess(provenance: Mapping[str, str] | None, name: str) -> bool:
    return (provenance or {}).get(name) == Origin.GUESS


def claimed(provenance: Mapping[str, str] | None, names: Iterable[str], member: str | None = None) -> dict[str, str]:
    """`provenance` with these fields marked as set by a person, `member` when known (a new dict: JSON columns
    are saved when replaced)."""
    mark = f"{Origin.USER.value}:{member}" if member else Origin.USER.value
    return {**(provenance or {}), **{name: mark for name in names}}


def released(provenance: Mapping[str, str] | None, names: Iterable[str]) -> dict[str, str]:
    """`provenance` without marks on these fields: they are the source's again (a new dict)."""
    gone = set(names)
    return {name: origin for name, origin in (provenance or {}).items() if name not in gone}
