"""The HTML pages: home, items (filters, search, pages), one item, the digest, a member's queue, the inbox and
the Atom feed. Each page makes `Library` calls and renders a template; the rules stay in the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from readlist.domain import KINDS, STATUSES
from readlist.errors import InvalidInputError

if TYPE_CHECKING:
    from readlist.api import ItemRecord
    from readlist.web.site import Handler, Site

PER_PAGE = 25  # a search pays for its snippets per row shown
MAX_PAGE = 1000
FEED_DAYS = "30d"
QUEUE_ROWS = 100
INBOX_ROWS = 200
FEED_ENTRIES = 50


@dataclass(frozen=True)
class Filters:
    """The items page's query, from the URL (the same words as the CLI's options)."""

    q: str = ""
    tag: str = ""
    status: str = ""
    kind: str = ""
    member: str = ""
    since: str = ""
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> Filters:
        params = request.query_params
        try:
            page = int(params.get("page") or 1)
        except ValueError:
            raise InvalidInputError("page must be a number", "e.g. page=2") from None
        if not 1 <= page <= MAX_PAGE:
            raise InvalidInputError(f"page must be between 1 and {MAX_PAGE}", "e.g. page=2")
        words = {k: " ".join((params.get(k) or "").split())[:200] for k in ("q", "tag", "status", "kind", "member")}
        return cls(**words, since=(params.get("since") or "").strip()[:40], page=page)

    def query(self, **change: Any) -> str:
        """This query string with some fields changed (for the pager's links)."""
        from urllib.parse import urlencode

        values = {**self.__dict__, **change}
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


def found(site: Site, flt: Filters, *, full: bool) -> tuple[list[ItemRecord], int | None, bool]:
    """One page of the items a filter finds (ranked by search when there is a query), how many in all (known for
    a search; a listing reads one page only, not the whole library) and whether another page follows."""
    lib = site.library(flt.member or None)
    status = [flt.status] if flt.status else None
    tag, kind, since = flt.tag or None, flt.kind or None, flt.since or None
    start = (flt.page - 1) * PER_PAGE
    if flt.q:
        result = lib.search(flt.q, tag=tag, status=status, kind=kind, since=since, limit=start + PER_PAGE)
        return list(result.items[start:]), result.total, result.total > start + PER_PAGE
    rows = lib.list(status=status, tag=tag, kind=kind, since=since, full=full, limit=PER_PAGE + 1, offset=start)
    return rows[:PER_PAGE], None, len(rows) > PER_PAGE


def home(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        lib = site.library()
        views: list[dict[str, Any]] = []
        for stats in lib.team_stats():
            theirs = site.library(stats["member"])
            finished = lib.list(read_by=stats["member"], since="7d", full=False, limit=10)
            views.append({"stats": stats, "overview": theirs.overview(), "finished": finished})
        overview = views[0]["overview"] if views else None  # every member's view holds every item
        return site.page(request, "home.html", views=views, total=overview["total"] if overview else 0)

    return page


def items(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        flt = Filters.of(request)
        rows, total, more = found(site, flt, full=False)
        return site.page(
            request,
            "items.html",
            flt=flt,
            rows=rows,
            total=total,
            more=more,
            statuses=STATUSES,
            kinds=KINDS,
            members=[m["member"] for m in site.library().team_stats()],
        )

    return page


def item(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        record = site.library().show(request.path_params["ref"])
        return site.page(request, "item.html", item=record, links=links_of(record))

    return page


def links_of(record: ItemRecord) -> list[tuple[str, str]]:
    """(label, url) for an item: its page, arXiv abs and pdf, then its other links (code, …)."""
    out: list[tuple[str, str]] = []
    if record["arxiv_id"]:
        out += [("arXiv", f"https://arxiv.org/abs/{record['arxiv_id']}")]
        out += [("PDF", f"https://arxiv.org/pdf/{record['arxiv_id']}")]
    else:
        out.append(("page", record["url"]))
    if record["doi"]:
        out.append(("DOI", f"https://doi.org/{record['doi']}"))
    out += [(str(link["role"]), link["url"]) for link in record["links"]]
    unique: dict[str, str] = {}
    for label, url in out:
        unique.setdefault(url, label)
    return [(label, url) for url, label in unique.items()]


def digest(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        since = (request.query_params.get("since") or "7d").strip()[:40]
        team = request.query_params.get("team", "1") != "0"
        text = site.library().digest(since=since, team=team)
        if request.url.path.endswith(".md"):
            return Response(text, media_type="text/markdown; charset=utf-8")
        return site.page(request, "digest.html", text=text, since=since, team=team)

    return page


def queue(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        name = request.path_params["member"]
        lib = site.library(name)
        rows = lib.todo(limit=QUEUE_ROWS, full=False)
        finished = lib.list(read_by=name, since=FEED_DAYS, full=False)[-20:][::-1]
        total = lib.todo_count()
        return site.page(request, "queue.html", member=name, rows=rows, total=total, finished=finished)

    return page


INBOX_ORDERS = ("fit", "date")


def inbox_order(request: Request) -> str:
    """`by=fit` (the default) or `by=date`; anything else is a mistake to say, not to ignore."""
    by = (request.query_params.get("by") or "fit").strip()
    if by not in INBOX_ORDERS:
        raise InvalidInputError(f'no inbox order "{by[:40]}"', "by=fit (best fit first) or by=date (newest first)")
    return by


def inbox(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        by_date = inbox_order(request) == "date"
        session = site.session(request)
        name = request.query_params.get("member") or (session.member if session else None)
        lib = site.library(name)
        if by_date:
            rows: list[Any] = [{**i, "why": []} for i in lib.inbox(limit=INBOX_ROWS, full=False)]
            how = "newest first"
        else:  # as `readlist inbox`: best fit to what this member keeps and reads, with why
            ranking = lib.ranked_inbox(limit=INBOX_ROWS, full=False)
            rows, how = list(ranking.items), "best fit first" if ranking.method != "date" else "newest first"
        return site.page(request, "inbox.html", rows=rows, member=name, how=how, by_date=by_date)

    return page


def feed(site: Site) -> Handler:
    async def page(request: Request) -> Response:
        lib = site.library()
        entries: list[dict[str, Any]] = []
        for record in lib.list(since=FEED_DAYS, full=False):
            who = record["added_by"]
            entries.append({"item": record, "when": record["added_at"], "what": "added", "who": who})
        for stats in lib.team_stats():
            for record in lib.list(read_by=stats["member"], since=FEED_DAYS, full=False):
                when = record["finished_at"] or record["added_at"]
                entries.append({"item": record, "when": when, "what": "finished", "who": stats["member"]})
        entries.sort(key=lambda e: e["when"] or "", reverse=True)
        entries = entries[:FEED_ENTRIES]
        base = str(request.base_url).rstrip("/")
        updated = entries[0]["when"] if entries else "1970-01-01T00:00:00Z"
        xml = site.templates.get_template("feed.xml").render(entries=entries, base=base, updated=updated)
        return Response(xml, media_type="application/atom+xml; charset=utf-8")

    return page


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", home, ["GET", "HEAD"]),
    ("/items", items, ["GET", "HEAD"]),
    ("/items/{ref:path}", item, ["GET", "HEAD"]),
    ("/digest", digest, ["GET", "HEAD"]),
    ("/digest.md", digest, ["GET", "HEAD"]),
    ("/members/{member}", queue, ["GET", "HEAD"]),
    ("/inbox", inbox, ["GET", "HEAD"]),
    ("/feed.atom", feed, ["GET", "HEAD"]),
]
