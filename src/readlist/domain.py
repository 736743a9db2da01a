"""The vocabulary as data: statuses, kinds, metadata states, link roles, their order and allowed moves. No I/O."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

from readlist.errors import InvalidInputError


class Status(StrEnum):
    INBOX = "inbox"
    UNREAD = "unread"
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"


class Kind(StrEnum):
    PAPER = "paper"
    ARTICLE = "article"
    REPO = "repo"


class MetadataStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    FETCHED = "fetched"
    NOT_FOUND = "not_found"
    FAILED = "failed"


class LinkRole(StrEnum):
    CODE = "code"
    PDF = "pdf"
    PROJECT = "project"
    RELATED = "related"


STATUSES = tuple(s.value for s in Status)
KINDS = tuple(k.value for k in Kind)
METADATA_STATUSES = tuple(m.value for m in MetadataStatus)
LINK_ROLES = tuple(r.value for r in LinkRole)

# How far along an item is; merging keeps the most advanced status.
STATUS_RANK: dict[str, int] = {Status.INBOX: 0, Status.UNREAD: 1, Status.SKIPPED: 2, Status.READING: 3, Status.READ: 4}

# The words people use for a status.
STATUS_ALIASES = {
    "done": Status.READ,
    "finished": Status.READ,
    "todo": Status.UNREAD,
    "to-read": Status.UNREAD,
    "toread": Status.UNREAD,
    "new": Status.UNREAD,
    "in-progress": Status.READING,
    "started": Status.READING,
    "skip": Status.SKIPPED,
}

STATUS_LABELS = {
    Status.INBOX: "in the inbox, waiting for triage",
    Status.UNREAD: "in your queue",
    Status.READING: "being read",
    Status.READ: "finished",
    Status.SKIPPED: "decided not to read",
}


class Action(StrEnum):
    """The everyday status commands. Each moves an item to one status, from some statuses only."""

    KEEP = "keep"
    SKIP = "skip"
    START = "start"
    DONE = "done"


class Transition(NamedTuple):  # a NamedTuple: ~0.6 ms less to define than a frozen dataclass, at every start
    target: Status
    allowed_from: frozenset[Status]
    hint: str  # what to type instead when the item is somewhere the action does not apply ({ref} filled in)


# The allowed moves, as data. An item already at the target is left alone (repeating a command is harmless);
# any other status is refused with the hint, so no everyday command can undo a finished read.
# `readlist status N STATUS` is the explicit way to make any move.
TRANSITIONS: dict[Action, Transition] = {
    Action.KEEP: Transition(
        Status.UNREAD,
        frozenset({Status.INBOX}),
        "keep is for inbox entries; to queue it again: readlist status {ref} unread",
    ),
    Action.SKIP: Transition(
        Status.SKIPPED,
        frozenset({Status.INBOX, Status.UNREAD, Status.READING}),
        "skip drops what you have not read; if you mean it: readlist status {ref} skipped",
    ),
    Action.START: Transition(
        Status.READING,
        frozenset({Status.INBOX, Status.UNREAD, Status.SKIPPED}),
        "to read it again: readlist status {ref} reading",
    ),
    Action.DONE: Transition(Status.READ, frozenset({Status.INBOX, Status.UNREAD, Status.READING, Status.SKIPPED}), ""),
}

# The words each action prints for an item it moved.
ACTION_VERBS = {Action.KEEP: "kept", Action.SKIP: "skipped", Action.START: "started", Action.DONE: "done"}

# SQLite stores integers in 8 bytes: bigger numbers are refused before they reach the database.
MAX_INT = 2**63 - 1  # the largest id
MAX_COUNT = 1_000_000_000  # --limit and friends
PRIORITY_RANGE = 1_000_000  # priorities live in -PRIORITY_RANGE..PRIORITY_RANGE


def status_help() -> str:
    aliases = ", ".join(f"{word} = {status}" for word, status in STATUS_ALIASES.items())
    return f"{', '.join(STATUSES)} (also: {aliases})"


def check_priority(priority: object) -> int:
    """A priority is a whole number in -PRIORITY_RANGE..PRIORITY_RANGE (higher comes first in todo)."""
    if isinstance(priority, bool) or not isinstance(priority, int) or abs(priority) > PRIORITY_RANGE:
        raise InvalidInputError(
            f"priority must be a whole number from {-PRIORITY_RANGE} to {PRIORITY_RANGE}, not {priority!r}",
            "e.g. priority 2 (higher comes first in todo)",
        )
    return priority


def check_status(status: object) -> Status:
    if not isinstance(status, str):
        raise InvalidInputError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")
    value = status.strip().lower().replace("_", "-").replace(" ", "-")
    if value in STATUSES:
        return Status(value)
    if value in STATUS_ALIASES:
        return STATUS_ALIASES[value]
    raise InvalidInputError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)} (or done, todo, …)")


def check_kind(kind: str) -> Kind:
    value = kind.strip().lower()
    if value not in KINDS:
        raise InvalidInputError(f"unknown kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    return Kind(value)


def check_link_role(role: str) -> LinkRole:
    value = role.strip().lower()
    if value not in LINK_ROLES:
        raise InvalidInputError(f"unknown link role {role!r}", f"use one of: {', '.join(LINK_ROLES)}")
    return LinkRole(value)


def check_metadata_status(value: str) -> MetadataStatus:
    if value not in METADATA_STATUSES:
        raise InvalidInputError(f"unknown metadata status {value!r}", f"use one of: {', '.join(METADATA_STATUSES)}")
    return MetadataStatus(value)


def normalise_tag(name: str) -> str:
    """Tags keep the user's spelling, minus stray `#`, surrounding spaces and doubled whitespace."""
    return re.sub(r"\s+", " ", name.strip().lstrip("#").strip())


def tag_slug(name: str) -> str:
    return normalise_tag(name).casefold()


def year_of(value: object) -> int | None:
    """The year at the start of an ISO-ish date (`2024-05-01`, `2024`), if it is a plausible one."""
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.match(r"^\d{4}(?:\D|$)", value.strip()):
        year = int(value.strip()[:4])
    else:
        return None
    return year if 1000 <= year <= 2999 else None


# Crossref work types of a published version (journal, proceedings, book): what "published in" means.
PUBLISHED_TYPES = frozenset({"journal-article", "proceedings-article", "book-chapter", "book", "report"})
