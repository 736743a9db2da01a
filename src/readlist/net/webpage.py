"""Web pages: bytes in the page's own charset → title, authors, site, date, description and main text.

Parsing is done by well-kept libraries: lxml for the tree and the `citation_*` tags that venues publish,
extruct for JSON-LD and OpenGraph, trafilatura for the article's main text and its metadata fallbacks.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
from collections.abc import Mapping
from typing import TypedDict
from urllib.parse import urlsplit

from readlist.domain import year_of
from readlist.net.metadata import WorkMetadata, as_dict, as_list, as_objects, as_text, clean_text, person

MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 200_000  # characters of main text kept per page
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Site names for hosts whose pages do not say theirs (no og:site_name); data, not code branches.
SITE_NAMES = {
    "zhuanlan.zhihu.com": "知乎",
    "zhihu.com": "知乎",
    "mp.weixin.qq.com": "微信公众号",
    "juejin.cn": "稀土掘金",
    "blog.csdn.net": "CSDN",
    "cnblogs.com": "博客园",
    "medium.com": "Medium",
    "substack.com": "Substack",
    "github.io": "GitHub Pages",
    "openreview.net": "OpenReview",
}
_NAME_DEPTH = 8  # a JSON-LD name nested deeper than this is junk, and recursing into it could exhaust the stack
# GB2312 and GBK pages routinely contain characters only their superset GB18030 defines.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)


def _meta_charset(body: bytes) -> str | None:
    """The charset a page declares in `<meta>`, as libxml2 reads it from the head."""
    from lxml import etree

    try:
        root = etree.fromstring(body[:8192], etree.HTMLParser(recover=True))
    except etree.LxmlError:
        return None
    if root is None:
        return None
    for meta in root.iter("meta"):
        declared = meta.get("charset")
        if declared:
            return str(declared)
        if (meta.get("http-equiv") or "").lower() == "content-type":
            content = meta.get("content") or ""
            for part in content.split(";"):
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset" and value:
                    return value
    return None


def decode(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """The page's text in its declared charset (HTTP header, then `<meta>`), checked; a warning if wrong."""
    declared_name = header_charset or _meta_charset(body)
    declared = _codec(declared_name)
    is_utf8 = True
    try:
        utf8_text = body.decode("utf-8")
    except UnicodeDecodeError:
        is_utf8 = False
    if declared and declared != "utf-8":
        # Non-ASCII text that is valid UTF-8 is almost never GBK or Latin-1: trust the bytes over the label.
        if is_utf8 and not body.isascii():
            return utf8_text.lstrip("\ufeff"), f"the page says {declared_name} but is UTF-8"
        try:
            return body.decode(declared), None
        except UnicodeDecodeError:
            pass
    elif is_utf8:
        return utf8_text.lstrip("\ufeff"), None
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    guess = best.encoding if best is not None else "utf-8"
    text = body.decode(guess, errors="replace")
    said = f"says {declared_name}" if declared_name else "does not say its charset"
    return text, f"the page {said} and does not decode as such; read as {guess}"


class Structured(TypedDict, total=False):
    """What a page's schema.org Article (JSON-LD, the first one wins) and its OpenGraph tags say."""

    title: str | None
    authors: list[str]
    date: str | None
    description: str | None
    site: list[str]
    og_title: str | None
    og_site: str | None
    og_description: str | None
    og_date: str | None


class Citation(TypedDict):
    """A paper's Highwire `citation_*` tags, as venues (and arXiv, OpenReview …) publish them."""

    title: str | None
    authors: list[str]
    venue: str | None
    date: str | None
    doi: str | None
    arxiv_id: str | None
    work_type: str | None


class PageText(TypedDict):
    """The fields of trafilatura's document that we use (its `as_dict()` mixes in lxml trees and more)."""

    title: str | None
    author: str | None
    sitename: str | None
    date: str | None
    description: str | None
    text: str | None
    tags: list[str]


def _json_ld_objects(data: Mapping[str, object]) -> list[Mapping[str, object]]:
    """Every top-level JSON-LD object, with `@graph` containers opened (schema.org objects are open shapes)."""
    out: list[Mapping[str, object]] = []
    for obj in as_objects(data.get("json-ld")):
        graph = obj.get("@graph")
        out += as_objects(graph) if isinstance(graph, list) else [obj]
    return out


def _names(value: object, depth: int = 0) -> list[str]:
    """Names in a JSON-LD author/publisher: text, {"name": …} or lists of them (deeper nesting is not a name)."""
    if depth > _NAME_DEPTH:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v, depth + 1)]
    if isinstance(value, dict):
        return _names(value.get("name"), depth + 1)
    text = clean_text(value)
    return [text] if text else []


def _structured(text: str, url: str) -> Structured:
    """JSON-LD (schema.org Article) and OpenGraph as one flat dict of the fields we use."""
    import extruct

    try:
        extracted = extruct.extract(
            text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True, errors="ignore"
        )
    except (ValueError, TypeError, json.JSONDecodeError):
        return {}
    data = as_dict(extracted)
    found = Structured()
    for obj in _json_ld_objects(data):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and ("Article" in k or "Posting" in k) for k in kinds):
            continue
        found.setdefault("title", clean_text(obj.get("headline") or obj.get("name")))
        found.setdefault("authors", _names(obj.get("author")))
        found.setdefault("date", clean_text(obj.get("datePublished")))
        found.setdefault("description", clean_text(obj.get("description")))
        found.setdefault("site", _names(obj.get("publisher"))[:1])
    for og in as_objects(data.get("opengraph")):
        found["og_title"] = clean_text(og.get("og:title"))
        found["og_site"] = clean_text(og.get("og:site_name"))
        found["og_description"] = clean_text(og.get("og:description"))
        found["og_date"] = clean_text(og.get("article:published_time"))
    return found


def _meta_tags(text: str) -> dict[str, list[str]]:
    """Every `<meta name|property=… content=…>`, including the Highwire `citation_*` tags that venues use."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(text[:MAX_BYTES])
    except Exception:  # lxml raises bare ParserError/ValueError on empty or odd documents
        return {}
    tags: dict[str, list[str]] = {}
    title = clean_text(root.findtext(".//title"))
    if title:
        tags["title"] = [title]
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        value = clean_text(meta.get("content"))
        if name and value:
            tags.setdefault(name, []).append(value)
    return tags


def _site_name(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    while host:
        if host in SITE_NAMES:
            return SITE_NAMES[host]
        host = host.partition(".")[2] if "." in host else ""
    return None


def _page_text(doc: Mapping[str, object]) -> PageText:
    return PageText(
        title=as_text(doc.get("title")),
        author=as_text(doc.get("author")),
        sitename=as_text(doc.get("sitename")),
        date=as_text(doc.get("date")),
        description=as_text(doc.get("description")),
        text=as_text(doc.get("text")),
        tags=[t for t in as_list(doc.get("tags")) if isinstance(t, str)],
    )


def _trafilatura(text: str, url: str) -> PageText:
    import logging

    import trafilatura

    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        # They log to stderr ("discarding data …"); what matters reaches the user as one warning from us.
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False

    try:
        doc = trafilatura.bare_extraction(
            text, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception:  # trafilatura has no error hierarchy; a page it cannot read still keeps its metadata
        return _page_text({})
    if doc is None:
        return _page_text({})
    return _page_text(doc if isinstance(doc, dict) else doc.as_dict())


def _first_of(cite: dict[str, list[str]], *names: str) -> str | None:
    return next((cite[name][0] for name in names if cite.get(name)), None)


def _one(cite: dict[str, list[str]], name: str) -> str | None:
    return _first_of(cite, name)


def _paper_fields(cite: dict[str, list[str]]) -> Citation:
    venue = _first_of(cite, "citation_conference_title", "citation_journal_title", "citation_inbook_title")
    kind = "proceedings-article" if "citation_conference_title" in cite else "journal-article" if venue else None
    date = _first_of(cite, "citation_publication_date", "citation_date", "citation_online_date")
    return Citation(
        title=_one(cite, "citation_title"),
        authors=cite.get("citation_author") or [],
        venue=venue,
        date=date.replace("/", "-") if date else None,
        doi=_one(cite, "citation_doi"),
        arxiv_id=_one(cite, "citation_arxiv_id"),
        work_type=kind,
    )


def _authors(names: list[str]) -> list[dict[str, str]]:
    out = []
    for raw in names:
        for name in raw.split(";") if ";" in raw else [raw]:
            found = person(name)
            if found and found not in out:
                out.append(found)
    return out


def parse_page(body: bytes, url: str, content_type: str | None = None, truncated: bool = False) -> WorkMetadata:
    """Everything a page says about itself; never raises on bad markup or charset (warnings instead)."""
    meta = WorkMetadata(source="webpage", url=url, site=_site_name(url))
    mime, _, params = (content_type or "text/html").partition(";")
    mime = mime.strip().lower()
    if mime and mime not in HTML_TYPES and not mime.startswith("text/"):
        meta.warnings.append(f"not a web page ({mime}); kept the link only")
        if mime == "application/pdf":
            meta.work_type = "document"
        return meta
    header_charset = None
    for part in params.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            header_charset = value.strip("'\" ")
    if truncated:
        meta.warnings.append(f"the page is larger than {MAX_BYTES // (1024 * 1024)} MB; read its first part only")
    text, warning = decode(body, header_charset)
    if warning:
        meta.warnings.append(warning)
    if not text.strip():
        meta.warnings.append("the page is empty")
        return meta
    tags = _meta_tags(text)
    cite = _paper_fields(tags)
    found = _structured(text, url)
    page = _trafilatura(text, url)
    titles = (cite["title"], found.get("og_title"), found.get("title"), page["title"], *tags.get("title", []))
    meta.title = next((clean for clean in map(clean_text, titles) if clean), None)
    names = (
        cite["authors"]
        or found.get("authors")
        or tags.get("author")
        or tags.get("article:author")
        or tags.get("og:article:author")
        or ([page["author"]] if page["author"] else [])
    )
    meta.authors = _authors(names)
    meta.site = clean_text(found.get("og_site") or page["sitename"]) or meta.site
    date = cite["date"] or found.get("date") or found.get("og_date") or page["date"]
    meta.published = (clean_text(date) or "")[:10] or None
    meta.year = year_of(meta.published)
    meta.abstract = clean_text(found.get("og_description") or found.get("description") or page["description"])
    meta.venue, meta.doi, meta.arxiv_id = cite["venue"], cite["doi"], cite["arxiv_id"]
    meta.work_type = cite["work_type"] or ("blog-post" if mime in HTML_TYPES else None)
    main = page["text"]
    if main and main.strip():
        # Control characters from the page never reach a terminal; lines and tabs stay.
        kept = "".join(ch for ch in main.strip()[:MAX_TEXT] if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
        meta.text = kept or None
    if not meta.title and not meta.text:
        meta.warnings.append("found neither a title nor text on the page")
    if page["tags"]:
        meta.details["page_tags"] = page["tags"][:20]
    if meta.site:
        meta.details["site"] = meta.site
    return meta
