"""A person's name from its parts, in the order the name's own language writes it."""

from __future__ import annotations

from readlist.text import CJK_CHAR


def full_name(given: str = "", family: str = "", *, particle: str = "", suffix: str = "") -> str:
    """`given family` for Latin names (`Hans von Müller Jr.`); `familygiven` for CJK ones (`张三`, not `三 张`),
    which are written family name first without a space."""
    given, family = " ".join(given.split()), " ".join(family.split())
    if family and given and CJK_CHAR.search(family) and CJK_CHAR.search(given):
        return f"{family}{given}"
    return " ".join(part for part in (given, particle, family, suffix) if part)
