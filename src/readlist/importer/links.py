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

# Heading words that say what kind of list follows, not which paper: a heading made only of these (and dates,
# numbers, one-letter words) is a topic, never the name of one paper.
GENERIC_HEADING_WORDS = frozenset(
    {
        "reading",
        "readings",
        "read",
        "list",
        "lists",
        "link",
        "links",
        "url",
        "urls",
        "paper",
        "papers",
        "article",
        "articles",
        "post",
        "posts",
        "blog",
        "blogs",
        "note",
        "notes",
        "bookmark",
        "bookmarks",
        "reference",
        "references",
        "resource",
        "resources",
        "misc",
        "other",
        "others",
        "todo",
        "inbox",
        "news",
        "daily",
        "weekly",
        "monthly",
        "week",
        "month",
        "today",
        "this",
        "recent",
        "new",
        "my",
        "more",
        "and",
        "of",
        "the",
        "to",
        "for",
        "in",
        "on",
        "worth",
        "must",
        "good",
        "interesting",
        "阅读",
        "待读",
        "已读",
        "在读",
        "本周",
        "上周",
        "每周",
        "周报",
        "今日",
        "今天",
        "每日",
        "日报",
        "本月",
        "月报",
        "最近",
        "近期",
        "论文",
        "文章",
        "博客",
        "笔记",
        "链接",
        "收藏",
        "资料",
        "参考",
        "资源",
        "其他",
        "其它",
        "杂项",
        "推荐",
        "列表",
        "清单",
        "合集",
        "汇总",
        "精选",
        "微信",
        "公众号",
        "知乎",
        "解读",
        "的",
        "和",
        "与",
    }
)
_HEADING_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")
_GENERIC_CJK = sorted((w for w in GENERIC_HEADING_WORDS if not w.isascii()), key=len, reverse=True)


def is_generic_heading(text: str) -> bool:
    """`Weekly reading`, `本周阅读`, `Papers 2024-05`, `x`: a heading that names no paper."""
    for word in _HEADING_WORD.findall(text.lower()):
        if word.isascii():
            if len(word) > 1 and not word.isdigit() and word not in GENERIC_HEADING_WORDS:
                return False
            continue
        for generic in _GENERIC_CJK:
            word = word.replace(generic, "")
        if word:
            return False
    return True


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
