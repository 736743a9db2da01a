"""What the routes share: where the library is, one `Library` per member's view (opened on first use, on
the thread that uses it, since a SQLite connection belongs to the thread that opened it), the keys and the
templates; and how an error becomes a page."""

from __future__ import annotations

import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from readlist.api import Library
from readlist.errors import NotFoundError, ReadlistError
from readlist.location import Location
from readlist.web import auth
from readlist.web.render import environment

Handler = Callable[[Request], Awaitable[Response]]
CLI_WORDS = re.compile(r"\breadlist\s+[a-z]|(?:^|\s)--?[a-z]")  # a command to type or an option


class Site:
    """What the routes share: where the library is, the views opened so far, the keys, the templates."""

    def __init__(self, location: str | Path | Location | None, write_token: str | None) -> None:
        self.location = location
        self.keys = auth.Keys(write_token)
        self.templates = environment()
        self._views: dict[tuple[int, str | None], Library] = {}

    def library(self, member: str | None = None) -> Library:
        """The library as `member` sees it (None: the server's own user); writes go to that member. An unknown
        member is a NotFoundError."""
        return self._view(member, known=member is not None)

    def writer(self, member: str) -> Library:
        """The library for a signed-in member's writes (they may not have read anything yet)."""
        return self._view(member, known=False)

    def _view(self, member: str | None, *, known: bool) -> Library:
        # Keyed by thread too: uvicorn runs every request on the loop's one thread, a test client may not.
        key = (threading.get_ident(), member)
        lib = self._views.get(key)
        if lib is None:
            if len(self._views) > 256:  # member names come from requests: memory stays flat
                self.close()
            lib = Library(self.location, member, create=False)
            if known:
                lib.require_member()
            self._views[key] = lib
        return lib

    def session(self, request: Request) -> auth.Session | None:
        return self.keys.session(request.cookies.get(auth.COOKIE))

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = self.session(request)
        html = self.templates.get_template(template).render(
            request=request,
            session=session,
            csrf=self.keys.csrf(session) if session else "",
            writable=self.keys.writable,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})

    def close(self) -> None:
        """Close this thread's connections (a connection belongs to its thread); forget the others'."""
        here = threading.get_ident()
        for (thread, _member), lib in self._views.items():
            if thread == here:
                lib.close()
        self._views.clear()


def handle_errors(site: Site, handler: Handler) -> Handler:
    """A ReadlistError becomes a page saying what went wrong (404 for what does not exist, else 400)."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ReadlistError as exc:
            status = 404 if isinstance(exc, NotFoundError) else 400
            hint = web_hint(exc)
            if request.url.path.startswith("/api/"):
                return JSONResponse({"error": exc.message, "hint": hint}, status_code=status)
            return site.page(request, "error.html", status, message=exc.message, hint=hint)

    return wrapped


def web_hint(exc: ReadlistError) -> str:
    """The library's hints speak to a terminal (`run "readlist list"`, `--tag`); a browser gets its own words."""
    hint = exc.hint or ""
    if not CLI_WORDS.search(hint):
        return hint
    if "trash" in exc.message:
        return "it was removed; whoever keeps the library can restore it"
    if isinstance(exc, NotFoundError):
        return "search for it, or browse the items page"
    return "check the address (the items page shows the filters)"
