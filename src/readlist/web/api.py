"""`/api/…`: JSON with the records `readlist … --json` prints (a search's snippets marked «like this»)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from readlist.term.width import json_dumps
from readlist.text.hits import hits_for_json
from readlist.web.pages import INBOX_ROWS, PER_PAGE, Filters, found, inbox_order

if TYPE_CHECKING:
    from readlist.web.site import Handler, Site


def json_response(data: Any) -> Response:
    return Response(json_dumps(data, indent=2) + "\n", media_type="application/json")


def items(site: Site) -> Handler:
    """`list --json` (or `search --json` with `q`), a page of PER_PAGE at a time: `page=2`; `total` is known for
    a search only."""

    async def answer(request: Request) -> Response:
        flt = Filters.of(request)
        rows, total, more = found(site, flt, full=True)
        records: list[Any] = list(rows)
        for record in records:
            if "snippet" in record:
                record["snippet"] = hits_for_json(record["snippet"])
        next_page = flt.page + 1 if more else None
        return json_response({"total": total, "page": flt.page, "next_page": next_page, "items": records})

    return answer


def item(site: Site) -> Handler:
    """`show --json`."""

    async def answer(request: Request) -> Response:
        return json_response(site.library().show(request.path_params["ref"]))

    return answer


def todo(site: Site) -> Handler:
    """`todo --all --json --who MEMBER`, a page of PER_PAGE at a time like every list (`page=2`), with the
    queue's `total`."""

    async def answer(request: Request) -> Response:
        page = Filters.of(request).page
        lib = site.library(request.path_params["member"])
        start = (page - 1) * PER_PAGE
        rows = lib.todo(limit=start + PER_PAGE + 1)  # the queue's order has no offset: read up to this page
        more = len(rows) > start + PER_PAGE
        return json_response(
            {
                "total": lib.todo_count(),
                "page": page,
                "next_page": page + 1 if more else None,
                "items": list(rows[start : start + PER_PAGE]),
            }
        )

    return answer


def inbox(site: Site) -> Handler:
    """`inbox --json`, ranked (`?by=date`: `inbox --by date --json`; `?member=` for another member's)."""

    async def answer(request: Request) -> Response:
        lib = site.library(request.query_params.get("member") or None)
        if inbox_order(request) == "date":
            return json_response(lib.inbox(limit=INBOX_ROWS))
        return json_response(lib.ranked_inbox(limit=INBOX_ROWS).items)

    return answer


def members(site: Site) -> Handler:
    """`stats --team --json`: each member's queue and pace."""

    async def answer(request: Request) -> Response:
        return json_response(site.library().team_stats())

    return answer


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/api/items", items, ["GET", "HEAD"]),
    ("/api/items/{ref:path}", item, ["GET", "HEAD"]),
    ("/api/members", members, ["GET", "HEAD"]),
    ("/api/members/{member}/todo", todo, ["GET", "HEAD"]),
    ("/api/inbox", inbox, ["GET", "HEAD"]),
]
