"""How a `Library` opens its library: where it lives, whose view it reads, the read and write sides on demand."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from readlist import config
from readlist.errors import DatabaseError, NotFoundError
from readlist.location import Location

if TYPE_CHECKING:
    from readlist.location import Conn
    from readlist.store.backends.base import Backend
    from readlist.store.read import Reader
    from readlist.store.write import Store


class Door:
    """The plumbing every group of `Library` methods shares (connections open on first use, close together)."""

    def __init__(
        self, path: str | Path | Location | None = None, member: str | None = None, *, create: bool = True
    ) -> None:
        """`path`: a file, a `postgresql://` URL or None (`$READLIST_DB`, the config's `db`, the user data dir).
        `member`: whose statuses and queue to read (default: the current user). `create=False`: a library that
        does not exist is an error (a typo in `--db`), not a new empty one."""
        self.path: Location = config.database_path(path)
        self.member = member
        self.create = create
        self._default = config.database_is_default(path)
        self._reader: Reader | None = None
        self._store: Store | None = None

    @property
    def _reads(self) -> Reader:
        """The read side (plain SQL, no ORM)."""
        if self._reader is None:
            from readlist.store import open_reader

            self._require_library()
            self._reader = open_reader(self.path, self.member)
        return self._reader

    @property
    def _conn(self) -> Conn:
        return self._reads.conn

    @property
    def _writer(self) -> Store:
        """The write side (short write transactions)."""
        if self._store is None:
            from readlist.store.write import Store

            self._require_library()
            if self._default:
                self._backend.make_folder()  # the default location is ours to create
            self._store = Store(self.path, self.member)
        return self._store

    @property
    def _backend(self) -> Backend:
        from readlist.store.backends import backend_for

        return backend_for(self.path)

    def _require_library(self) -> None:
        if not self.create and not self._backend.exists():
            raise DatabaseError(
                f"no library at {self.path} (the file does not exist)",
                "check the path; any write command (readlist add, readlist import) creates it",
            )

    def _exists(self) -> bool:
        """Whether the library holds anything yet (a server database always counts as there)."""
        return not self._backend.is_new()

    def require_member(self) -> None:
        """A member named explicitly must be someone in the library: an unknown name is a typo."""
        if self.member is None:
            return
        known = self._reads.members()
        if self.member not in known:
            raise NotFoundError(
                f"no member {self.member!r} in this library",
                f"members: {', '.join(known)}" if known else "nobody has added, read or noted anything yet",
            )

    def close(self) -> None:
        """Close the connections this library opened (it can be used again: they reopen on demand)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._store is not None:
            self._store.engine.dispose()
            self._store = None

    def __enter__(self) -> Door:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"
