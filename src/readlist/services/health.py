"""`db check`: diagnose a library, damaged or not, and say how to recover (never raises on damage).

What is checked differs per backend (SQLite: the file's integrity and foreign keys; PostgreSQL: the schema), so
the backend does it (`Backend.check`); both compare the search index with the items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from readlist.store.backends import backend_for
from readlist.store.backends.base import HealthReport as HealthReport

if TYPE_CHECKING:
    from readlist.location import Location


def check(location: Location) -> HealthReport:
    """The library's health; a SQLite file that does not exist is a NotFoundError."""
    return backend_for(location).check()
