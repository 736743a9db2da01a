"""Which links in notes are reading items, which belong to an item (code, project), and which are noise."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from readlist.errors import InvalidInputError
from readlist.ids import Reference, is_url, url_reference

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico")
# Hosts whose links are never reading items: image hosts, badges, licences, trackers.
BOILERPLATE_HOSTS = frozenset(
    {
        "i.creativecommons.org",
        "creativecommons.org",
        "img.shields.io",
        "shields.io",
        "badge.fury.io",
        "user-images.githubusercontent.com",
        "private-user-images.githubusercontent.com",
        "raw.githubusercontent.com",
        "camo.githubusercontent.com",
        "avatars.githubusercontent.com",
        "pic1.zhimg.com",
        "pic2.zhimg.com",
        "pic3.zhimg.com",
        "pic4.zhimg.com",
        "picx.zhimg.com",
        "mmbiz.qpic.cn",
        "imgur.com",
        "i.imgur.com",
        "img-blog.csdnimg.cn",
        "star-history.com",
        "api.star-history.com",
        "visitor-badge.laobi.icu",
        "komarev.com",
    }
)
BOILERPLATE_PATHS = (re.compile(r"^/user-attachments/"), re.compile(r"/licenses?/"))
# Link texts that say what the link is, not what it is called.
GENERIC_TEXTS = frozenset(
    {
        "arxiv",
        "paper",
        "pdf",
        "link",
        "code",
        "github",
        "repo",
        "project",
        "page",
        "homepage",
        "blog",
        "here",
        "这里",
        "链接",
        "论文",
        "代码",
        "原文",
        "地址",
        "项目",
        "主页",
        "博客",
        "知乎",
        "官方博客",
        "hf",
        "huggingface",
        "model",
        "website",
        "demo",
        "slides",
        "video",
    }
)


def is_boilerplate(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if host in BOILERPLATE_HOSTS or path.endswith(IMAGE_EXTENSIONS):
        return True
    return any(p.search(path) for p in BOILERPLATE_PATHS) and host in ("github.com", "creativecommons.org")


def is_profile(url: str) -> bool:
    """A home page or a person's profile (host only, or one path segment): header material, not reading."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    return len(segments) <= 1 and not parts.query


def classify(url: str) -> Reference | None:
    """A reading item's reference, or None for links that are not items (images, badges, non-http)."""
    if not is_url(url) or is_boilerplate(url):
        return None
    try:
        return url_reference(url)
    except (InvalidInputError, ValueError):
        return None


def role_for(ref: Reference, url: str) -> str:
    """How a non-primary link relates to the paper it sits under."""
    if ref.kind == "repo":
        return "code"
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith("github.io") or "project" in url.lower():
        return "project"
    if url.lower().endswith(".pdf"):
        return "pdf"
    return "related"


def is_generic_text(text: str) -> bool:
    return text.strip().strip(":：").lower() in GENERIC_TEXTS or not text.strip()
