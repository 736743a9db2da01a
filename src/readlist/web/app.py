"""The ASGI app: the routes of the pages, the JSON and the writes over one `Site`, behind the guard."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from readlist.location import Location
from readlist.web import actions, api, guard, pages
from readlist.web.site import Site, handle_errors

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


def create_app(
    location: str | Path | Location | None = None,
    *,
    write_token: str | None = None,
    reads_per_second: float = 50,
    writes_per_second: float = 2,
    allowed_hosts: list[str] | None = None,
) -> guard.ASGIApp:
    """The web app over the library at `location`. Read-only unless `write_token` is given; `allowed_hosts`
    (e.g. LOOPBACK_HOSTS) refuses other Host headers, which stops DNS rebinding; a rate of 0 is unbounded."""
    site = Site(location, write_token)
    routes: list[Route | Mount] = []
    for path, handler, methods in [*pages.ROUTES, *api.ROUTES, *actions.ROUTES]:
        routes.append(Route(path, handle_errors(site, handler(site)), methods=methods))
    static = StaticFiles(directory=Path(__file__).parent / "static")
    routes.append(Mount("/static", app=static, name="static"))

    async def not_found(request: Request, exc: Exception) -> Response:
        return site.page(request, "error.html", 404, message="no such page", hint="start from the home page")

    async def robots(request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    routes.append(Route("/robots.txt", robots))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        site.close()

    app = Starlette(routes=routes, exception_handlers={404: not_found}, lifespan=lifespan)
    inner: guard.ASGIApp = app
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        inner = TrustedHostMiddleware(app, allowed_hosts=allowed_hosts)
    return guard.Guard(inner, reads_per_second=reads_per_second, writes_per_second=writes_per_second)
