"""Looking after a `Library` as a whole: schema, integrity, backups, copies, the search index, the trash list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.api.base import Door
from readlist.errors import NotFoundError
from readlist.location import Location, location

if TYPE_CHECKING:
    from readlist.services.health import HealthReport
    from readlist.services.transfer import CopyReport
    from readlist.store.records import TrashRecord


class Admin(Door):
    def init(self) -> str:
        """Build (or upgrade) the schema; returns its revision."""
        from readlist.store import db
        from readlist.store.backends import base
        from readlist.store.backends.base import behind_error, head_revision

        hear, base.on_notice = base.on_notice, None  # a member's init: the error below says it, once
        try:
            self._writer  # noqa: B018  (opening the write side creates the default folder)
            db.ensure_schema(self.path)
        finally:
            base.on_notice = hear
        revision = str(db.revision(self.path))
        if revision != head_revision():  # a team member's: only the library's owner upgrades it
            raise behind_error(revision, head_revision())
        return revision

    def check(self) -> HealthReport:
        """Integrity, foreign keys, schema version and the search index."""
        from readlist.services.health import check

        return check(self.path)

    def backup(self, folder: Path | None = None, warn: Callable[[str], None] | None = None) -> Path:
        """A consistent copy in `folder`, else beside a SQLite file; of PostgreSQL, pg_dump or a JSONL snapshot
        (`warn` hears why a snapshot was written instead of a pg_dump that failed)."""
        from readlist.services.transfer import backup

        self._reads.close()  # opening checks the library is there and readable
        self._reader = None
        return backup(self.path, folder, warn)

    @staticmethod
    def copy(source: str | Location, target: str | Location) -> CopyReport:
        """Copy a whole library between SQLite and PostgreSQL, either way, into an empty or new one."""
        from readlist.services.transfer import copy

        src = location(source) if isinstance(source, str) else source
        dst = location(target) if isinstance(target, str) else target
        from readlist.store.backends import backend_for

        if not backend_for(src).exists():
            raise NotFoundError(f"no library at {src}", "check the path of the library to copy")
        return copy(src, dst)

    def repair_indexes(self) -> int:
        """Rebuild a SQLite file's indexes when entries out of step with their rows are its only damage (what
        `db check` then advises); how many problems that fixed, 0 when there were none to fix this way."""
        from readlist.store import db

        return db.repair_indexes(self._conn)

    def reindex(self) -> int:
        """Rebuild the search index from scratch; returns how many items it holds."""
        from readlist.store import db, index

        conn = self._conn
        with db.write_transaction(conn):
            return index.rebuild(conn)

    def trash(self) -> list[TrashRecord]:
        """Removed items, newest first: their old number, key, title, tags and how many notes they keep."""
        from readlist.store.read import trash

        return trash(self._conn)
