"""The vocabulary as data: statuses, kinds, metadata states, link roles, their order and allowed moves. No I/O."""

from __future__ import annotations

import re
from enum import StrEnum

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

# Inbox actions (`keep`, `skip` from the inbox) apply only to items still in the inbox.
INBOX_ACTIONS = {"keep": Status.UNREAD, "skip": Status.SKIPPED}


def status_help() -> str:
    aliases = ", ".join(f"{word} = {status}" for word, status in STATUS_ALIASES.items())
    return f"{', '.join(STATUSES)} (also: {aliases})"


def check_status(status: str) -> Status:
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
