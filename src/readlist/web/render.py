"""Text to safe HTML: markdown notes and digests (raw HTML off, then sanitised), search snippets, links."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from readlist.text.hits import HIT_END, HIT_START

SAFE_SCHEMES = {"http", "https", "mailto"}
TEMPLATES = Path(__file__).parent / "templates"
# XML 1.0 forbids most C0 controls even as character references: a feed with one is not a feed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def markdown(text: str) -> Markup:
    """A note or digest as HTML: markdown-it with raw HTML escaped, then nh3 keeps only harmless tags and links
    with a safe scheme (defence in depth: either alone would do)."""
    html = _markdown().render(text)
    clean = nh3.clean(html, url_schemes=SAFE_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # sanitised just above


def snippet(text: str) -> Markup:
    """A search snippet with its hits marked, everything else escaped."""
    escaped = str(escape(text))
    marked = escaped.replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")
    if marked.count("<mark>") != marked.count("</mark>"):  # a snippet cut inside a hit: drop the marks
        return Markup(escaped.replace(HIT_START, "").replace(HIT_END, ""))  # escaped above
    return Markup(marked)  # escaped above; only our own marks added


def safe_url(url: object) -> str | None:
    """A link worth rendering: http(s) only (never javascript:, data: or a relative trick)."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") and not any(c.isspace() for c in url.strip()) else None


def xml_text(value: object) -> str:
    return _XML_FORBIDDEN.sub("", "" if value is None else str(value))


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml"]), auto_reload=False
    )
    filters: dict[str, Any] = {"markdown": markdown, "snippet": snippet, "safe_url": safe_url, "xml": xml_text}
    env.filters.update(filters)
    env.globals["short_date"] = lambda stamp: (stamp or "")[:10]
    return env
