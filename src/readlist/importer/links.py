"""Which links in notes are reading items, which belong to an item (code, project), and which are noise."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from readlist.domain import Kind
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


# Words that together say what a link is (`项目地址`, `在线演示地址`, `Paper & Code`, `github仓库`): a text made only of
# these, with at least one head, is generic too.
GENERIC_HEADS = (
    "链接|地址|网址|报告|论文|代码|源码|仓库|主页|官网|博客|原文|文档|演示|体验|传送门|入口|"
    "paper|papers|code|repo|repository|link|links|report|page|homepage|website|site|blog|post|pdf|slides|video|demo|"
    "docs|documentation|source|here"
)
GENERIC_MODIFIERS = (
    "项目|技术|论文|代码|开源|官方|在线|原始|完整|点击|点此|查看|阅读|下载|github|arxiv|hf|huggingface|"
    "project|technical|tech|official|online|source|full|the|and|paper|code|model|models|data|dataset|"
    "arxiv|github|pdf|project|read|more|click|view"
)
_GENERIC_WORDS = re.compile(
    rf"(?:{GENERIC_HEADS}|{GENERIC_MODIFIERS})(?:[\s\-_/&+·、,，|]*(?:{GENERIC_HEADS}|{GENERIC_MODIFIERS}))*",
    re.IGNORECASE,
)
_BRACKETS = frozenset({"[]", "【】", "()", "（）"})
_GENERIC_HEAD = re.compile(GENERIC_HEADS, re.IGNORECASE)


def is_boilerplate(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if host in BOILERPLATE_HOSTS or path.endswith(IMAGE_EXTENSIONS):
        return True
    return any(p.search(path) for p in BOILERPLATE_PATHS) and host in ("github.com", "creativecommons.org")


# Hosts where `host/NAME` is a person's or an organisation's page (code hosts, social sites, blogs by user).
PROFILE_HOSTS = frozenset(
    {
        "github.com",
        "gitlab.com",
        "gitee.com",
        "bitbucket.org",
        "huggingface.co",
        "x.com",
        "twitter.com",
        "weibo.com",
        "facebook.com",
        "instagram.com",
        "threads.net",
        "bsky.app",
        "medium.com",
        "substack.com",
        "youtube.com",
        "space.bilibili.com",
        "blog.csdn.net",
        "cnblogs.com",
        "juejin.cn",
        "segmentfault.com",
        "jianshu.com",
        "zhihu.com",
        "zhuanlan.zhihu.com",
        "linkedin.com",
        "kaggle.com",
        "openreview.net",
        "dblp.org",
        "orcid.org",
        "researchgate.net",
        "scholar.google.com",
        "reddit.com",
    }
)
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "gitee.com", "bitbucket.org"})  # two segments: owner/repo
# `host/people/NAME`, `host/in/NAME`: a profile one level down.
PROFILE_PREFIXES = frozenset({"people", "in", "u", "user", "users", "profile", "org", "orgs", "author", "c", "channel"})
# One segment that is a site's own navigation, not a page of writing.
SITE_CHROME = frozenset(
    {
        "about",
        "about-me",
        "aboutme",
        "archive",
        "archives",
        "blog",
        "blogs",
        "posts",
        "post",
        "articles",
        "categories",
        "category",
        "tags",
        "tag",
        "contact",
        "home",
        "index",
        "index.html",
        "index.htm",
        "index.php",
        "default.aspx",
        "people",
        "team",
        "cv",
        "resume",
        "publications",
        "projects",
        "news",
        "search",
        "login",
        "feed",
        "rss",
        "atom.xml",
        "rss.xml",
        "feed.xml",
        "en",
        "zh",
        "cn",
        "zh-cn",
    }
)
_PAGE_FILE = re.compile(r"\.(?:html?|shtml|xhtml|md|markdown|txt|php|aspx?|jsp|pdf|ipynb)$", re.IGNORECASE)
_SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+)+")


def is_page_segment(segment: str) -> bool:
    """A path segment naming a page: a file (`greatwork.html`, `brrr_intro.html`) or a slug of words
    (`some-long-post-slug`, `a-visual-guide`), not a name (`karpathy`) or the site's navigation (`about`)."""
    low = segment.lower()
    if low in SITE_CHROME or low.startswith(("@", "~")):
        return False
    return bool(_PAGE_FILE.search(low) or _SLUG.fullmatch(low))


def is_profile(url: str, *, named: bool = False, who: bool = False) -> bool:
    """A home page or a person's profile: header material, not reading.

    That is a bare host, a user's page on a code host or social site (`github.com/NAME`, `x.com/NAME`,
    `zhihu.com/people/NAME`, `medium.com/@NAME`), or a site's navigation (`/about`, `/blog/`). A single
    segment that names a page (`greatwork.html`, `a-long-post-slug`) is an article; another single segment
    (`example.com/z`) is an article when the user gave the link a name of its own (`named`). Where the
    place says the link names who (`who`: a byline, a team or author column), any single segment is a profile."""
    parts = urlsplit(url)
    if parts.query:
        return False
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return True
    first = segments[0].lower()
    known = host in PROFILE_HOSTS or host.endswith(".substack.com")
    if len(segments) == 2 and known and first in PROFILE_PREFIXES and host not in CODE_HOSTS:
        return True
    if len(segments) > 1:
        return False
    if who or first in SITE_CHROME or first.startswith(("@", "~")):
        return True
    if known:  # `github.com/hao-ai-lab`, `blog.csdn.net/gatieme`: an account, whatever its name looks like
        return not _PAGE_FILE.search(first)
    return not is_page_segment(first) and not named


@lru_cache(maxsize=4096)
def classify(url: str) -> Reference | None:
    """A reading item's reference, or None for links that are not items (images, badges, non-http).
    Cached (a Reference is frozen): extraction asks about each link several times (is it skipped, its item,
    the row's other links), and a list repeats its hosts' links."""
    if not is_url(url) or is_boilerplate(url):
        return None
    try:
        return url_reference(url)
    except (InvalidInputError, ValueError):
        return None


def role_for(ref: Reference, url: str) -> str:
    """How a non-primary link relates to the paper it sits under."""
    if ref.kind == Kind.REPO:
        return "code"
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith("github.io") or "project" in url.lower():
        return "project"
    if url.lower().endswith(".pdf"):
        return "pdf"
    return "related"


def is_generic_text(text: str) -> bool:
    """What the link is, not what it is called: `paper`, `[项目地址]`, `体验链接`, `Technical Report`, `github仓库`.

    Besides the words above, any text made only of GENERIC_WORDS that holds one of GENERIC_HEADS."""
    words = text.strip().strip(":：").strip().lower()
    if len(words) > 2 and words[0] + words[-1] in _BRACKETS:  # `[论文]`, `【代码】`
        words = words[1:-1].strip()
    if words in GENERIC_TEXTS or not words or (len(words) == 1 and not words.isascii()):
        return True  # one Chinese character (`[示]`, the rest of 演示 lost in editing) names nothing
    if words.startswith("@") and not any(ch.isspace() for ch in words):
        return True  # an account (`[@zhangsan](…)`): who posted it, not what it is
    return len(words) <= 40 and bool(_GENERIC_WORDS.fullmatch(words)) and bool(_GENERIC_HEAD.search(words))


def link_title(text: str, url: str) -> str | None:
    """A link's text when it names what the link leads to; None when it is generic (`代码`) or the account the
    link sits under (`[tding1](https://github.com/tding1/Efficient-LLM-Survey)`: a user name)."""
    text = text.strip()
    if is_generic_text(text):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    name = text.lower().lstrip("@")
    if host in PROFILE_HOSTS and len(segments) >= 2 and name == segments[0].lower() != segments[1].lower():
        return None  # the owner's name, unless it is also the project's (`[CuPy](https://github.com/cupy/cupy)`)
    return text
