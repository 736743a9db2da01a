"""Where a library lives — a SQLite file path or a PostgreSQL URL — parsed in this one place; which backend
serves it is decided by readlist.store.backends.backend_for (docs/architecture.md).

Cheap to import (no psycopg, no SQLAlchemy): the SQLite path never loads the PostgreSQL driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class PostgresUrl:
    """A PostgreSQL connection URL. `str()` is the redacted form: the password is never printed."""

    url: str

    def __str__(self) -> str:
        return redact(self.url)

    def __repr__(self) -> str:
        return f"PostgresUrl({redact(self.url)!r})"

    @property
    def libpq(self) -> str:
        """The URL libpq reads (it also honours PGPASSWORD, ~/.pgpass, PGSSLMODE and the rest of its env)."""
        return "postgresql://" + self.url.split("://", 1)[1]

    @property
    def sqlalchemy(self) -> str:
        return "postgresql+psycopg://" + self.url.split("://", 1)[1]

    @property
    def database(self) -> str:
        return urlsplit(self.libpq).path.lstrip("/") or "(default)"

    @property
    def server(self) -> str:
        """host:port for messages (never the user's password)."""
        parts = urlsplit(self.libpq)
        host = parts.hostname or "localhost"
        return f"{host}:{parts.port or 5432}"


Location = Path | PostgresUrl


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(SCHEMES)


# `mysql://…`, `postgresql:/…` (one slash), `sqlite:///…`: a URL, but not one readlist speaks.
_OTHER_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def location(text: str) -> Location:
    """`--db`/`READLIST_DB`/config `db`: a postgresql:// (or postgres://) URL, else a file path."""
    from readlist.errors import DatabaseError

    if is_url(text):
        url = PostgresUrl(text.strip())
        if _unencoded_password(url.url):
            raise DatabaseError(
                f"cannot read the database URL {url} (its password holds / # ? or @ unencoded)",
                "percent-encode them in the password (# → %23, @ → %40), or put it in PGPASSWORD or ~/.pgpass",
            )
        try:
            urlsplit(url.libpq).port  # noqa: B018  (parsing the port raises on `:notaport` and broken IPv6)
        except ValueError:  # its text would quote part of the URL, perhaps of the password: never shown
            raise DatabaseError(
                f"cannot read the database URL {url} (its host, port or password is malformed)",
                f"{HINT_URL} (percent-encode / # ? @ in a password, e.g. # → %23)",
            ) from None
        return url
    if _OTHER_URL.match(text.strip()):
        raise DatabaseError(f"readlist cannot use {redact(text.strip())} as a library", HINT_URL)
    return Path(text).expanduser()


def _unencoded_password(url: str) -> bool:
    """`user:pa/ss@host`: libpq would read part of such a password as the host or the path (and print it)."""
    rest = url.split("://", 1)[1]
    at = rest.rfind("@")
    colon = rest.find(":", 0, max(at, 0))
    return at != -1 and colon != -1 and "/" not in rest[:colon] and any(c in rest[colon + 1 : at] for c in "@/#?")


HINT_URL = "give a file path (SQLite) or postgresql://user@host:5432/dbname"


_URL_START = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*:/+")  # any URL: a mistyped scheme may hold one too
_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&\s]*")
_USER = re.compile(r"[^:@/\s'\"`]*:")  # `user:` right after `scheme://`
_PORT = re.compile(r"\d*(?:[/?]|$)")  # `host:5432/db`: a port, not a password
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def _password_span(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Where the password of the URL whose authority begins at `start` lies in `text[:stop]`: between `user:` and
    the last `@` before the host, whatever it holds (spaces, quotes, backticks, tabs, `%`, `@`, `/`)."""
    user = _USER.match(text, start, stop)
    if user is None:
        return None
    begin = user.end()
    token = begin
    while token < stop and not text[token].isspace() and text[token] not in "'\"`":
        token += 1
    at = text.rfind("@", begin, token)
    if at == -1:  # the password holds a space or a quote: its end is the last `@` on the line
        if _PORT.match(text[begin:token]):
            return None
        at = text.rfind("@", begin, stop)
    return (begin, at) if at != -1 else None


def redact(text: str, url: PostgresUrl | None = None) -> str:
    """Any PostgreSQL URL inside `text` with its password replaced by ***, in the user part or the query string;
    with `url`, also its password wherever the text echoes it (libpq quotes a password it cannot parse).

    The user part ends at the URL's last `@` on its line, so a password holding `/ # ? @ : ' "`, spaces or
    tabs is hidden whole."""
    if url is not None:
        text = _without_secret(text, url)
    out, done = [], 0
    starts = [m.end() for m in _URL_START.finditer(text)]
    for number, start in enumerate(starts):
        if start < done:
            continue
        line_end = text.find("\n", start)
        stop = line_end if line_end != -1 else len(text)
        if number + 1 < len(starts):
            stop = min(stop, starts[number + 1])
        span = _password_span(text, start, stop)
        head = start
        if span is not None:
            out.append(text[done:start] + text[start : span[0]] + "***")
            head = span[1]
        else:
            out.append(text[done:start])
        end = head
        while end < len(text) and not text[end].isspace() and text[end] not in "'\"`":
            end += 1
        out.append(_PASSWORD_PARAM.sub(r"\1***", text[head:end]))
        done = end
    out.append(text[done:])
    return "".join(out)


def _secret(url: PostgresUrl) -> str | None:
    rest = url.url.split("://", 1)[1]
    span = _password_span(rest, 0, len(rest))
    return rest[span[0] : span[1]] if span else None


def _without_secret(text: str, url: PostgresUrl) -> str:
    secret = _secret(url)
    if not secret:
        return text
    for form in {secret, unquote(secret)}:
        text = text.replace(form, "***")

    def quoted(match: re.Match[str]) -> str:  # libpq quotes a piece it cannot parse: `"pa ss"`, `"a%b"`
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        return match.group(0) if len(inner) < 2 or inner not in secret else match.group(0).replace(inner, "***")

    return _QUOTED.sub(quoted, text)


def without_password(url: PostgresUrl) -> tuple[str, str | None]:
    """(the URL without its password, the password) — to hand the password to a tool through its env."""
    parts = urlsplit(url.libpq)
    password = unquote(parts.password) if parts.password is not None else None  # `sec%40ret` is `sec@ret`
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        netloc[0] = netloc[0].split(":", 1)[0]
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "password"]
    password = password or next((v for k, v in parse_qsl(parts.query) if k.lower() == "password"), None)
    clean = urlunsplit((parts.scheme, "@".join(netloc), parts.path, urlencode(query), parts.fragment))
    return clean, password


class Conn(Protocol):
    """What the read side and the search index use of a connection: sqlite3's, or the psycopg adapter's (a
    backend's connections also carry the backend: readlist.store.backends.base.Connection)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    def close(self) -> None: ...
