"""The closed set of errors a user can cause, each with a hint and an exit code."""

from __future__ import annotations


class ReadlistError(Exception):
    """An error the user can act on: one message line and one hint line, exit code 1."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFoundError(ReadlistError):
    """An id, arXiv ID or tag that is not in the library."""


class InvalidInputError(ReadlistError):
    """Input that is not a URL, an arXiv ID, a status, a date …"""


class DatabaseError(ReadlistError):
    """The database file cannot be opened, is not SQLite, or is from a newer readlist."""


class NetworkError(ReadlistError):
    """arXiv or a feed could not be reached or answered with something unusable."""


class ConfigError(ReadlistError):
    """A setting (environment variable, config file or `readlist config`) with a bad key or value."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C after something was already saved: the message says what was kept and how to finish it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
