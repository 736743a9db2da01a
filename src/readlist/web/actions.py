"""The writes a signed-in member may make (status moves, a tag, a note, inbox triage) and signing in and out.
Each checks the session cookie and the form's CSRF token first; the member is always the session's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from readlist.errors import InvalidInputError
from readlist.web import auth

if TYPE_CHECKING:
    from readlist.web.site import Handler, Site

MOVES = ("start", "done", "skip", "keep")


async def form_of(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=10, max_part_size=auth_limit())


def auth_limit() -> int:
    from readlist.web.guard import MAX_BODY

    return MAX_BODY


def back_to(form: FormData, default: str) -> str:
    """Where to go after a write: a path on this site only (never `//elsewhere` or a full URL)."""
    target = str(form.get("next") or "")
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else default


READ_ONLY = "this server is read-only: it shows the library, nobody can write through it"


def refused(site: Site, request: Request, message: str, back: str = "/", status: int = 403) -> Response:
    """A write that may not happen. On a server that takes writes, the page offers sign-in and comes back to
    `back` (the page the form was on, never the write's own address, which only takes a POST)."""
    if not site.keys.writable:
        return site.page(request, "error.html", status, message=message, hint=None, signin_next=None)
    hint = "sign in with your name and the write token, then try again"
    return site.page(request, "error.html", status, message=message, hint=hint, signin_next=back)


def write(site: Site, name: str) -> Handler:
    """One write route; `name` is what it does."""

    async def handler(request: Request) -> Response:
        if not site.keys.writable:
            return refused(site, request, READ_ONLY)
        session = site.session(request)
        form = await form_of(request)
        ref = request.path_params["ref"]
        back = back_to(form, "/inbox" if name == "keep" else f"/items/{quote(ref)}")
        if session is None:
            return refused(site, request, "not signed in", back)
        if not site.keys.csrf_ok(session, str(form.get("csrf") or "")):
            return refused(site, request, "this form has expired or was not made by this page; reload and retry", back)
        lib = site.writer(session.member)
        if name in MOVES:
            getattr(lib, name)(ref)
        elif name == "tag":
            tag = str(form.get("tag") or "").strip()
            if not tag:
                raise InvalidInputError("no tag given", "type a tag, e.g. quantization")
            lib.tag(ref, add=[tag])
        elif name == "note":
            lib.note(ref, str(form.get("body") or ""))
        return RedirectResponse(back, status_code=303)

    return handler


def signin_page(site: Site) -> Handler:
    async def handler(request: Request) -> Response:
        if not site.keys.writable:
            return refused(site, request, READ_ONLY)
        return site.page(request, "signin.html", error=None)

    return handler


def signin(site: Site) -> Handler:
    async def handler(request: Request) -> Response:
        form = await form_of(request)
        member = auth.member_name(str(form.get("member") or ""))
        if not site.keys.writable:
            return refused(site, request, READ_ONLY)
        if member is None or not site.keys.token_matches(str(form.get("token") or "")):
            return site.page(request, "signin.html", 403, error="wrong token or name")
        response = RedirectResponse(back_to(form, f"/members/{quote(member)}"), status_code=303)
        secure = request.url.scheme == "https"
        cookie = site.keys.cookie_for(member)
        response.set_cookie(auth.COOKIE, cookie, httponly=True, samesite="strict", secure=secure, max_age=30 * 86400)
        return response

    return handler


def signout(site: Site) -> Handler:
    async def handler(request: Request) -> Response:
        session = site.session(request)
        form = await form_of(request)
        if session is None or not site.keys.csrf_ok(session, str(form.get("csrf") or "")):
            return refused(site, request, "not signed in")
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(auth.COOKIE)
        return response

    return handler


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/signin", signin_page, ["GET", "HEAD"]),
    ("/signin", signin, ["POST"]),
    ("/signout", signout, ["POST"]),
    *[(f"/write/{name}/{{ref:path}}", (lambda n: lambda site: write(site, n))(name), ["POST"]) for name in MOVES],
    ("/write/tag/{ref:path}", lambda site: write(site, "tag"), ["POST"]),
    ("/write/note/{ref:path}", lambda site: write(site, "note"), ["POST"]),
]
