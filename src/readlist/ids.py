"""Identity: turn any user input (arXiv ID in any form, DOI, GitHub or web URL) into one canonical key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from readlist.domain import Kind
from readlist.errors import InvalidInputError, NotFoundError

ACCEPTED_FORMS_HINT = (
    "accepted: 2408.11743, arXiv:2408.11743v2, hep-th/9901001, arxiv.org/abs|pdf|html links and mirrors, "
    "10.1145/… DOIs, http(s) URLs"
)

# Archives that used the old `archive/YYMMNNN` scheme (before April 2007).
OLD_ARCHIVES = frozenset(
    {
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    }
)

_NEW_ID = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
_OLD_ID = r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<sc>[A-Za-z]{2}))?/(?P<old>\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"
_BARE_NEW = re.compile(rf"^{_NEW_ID}{_VERSION}$")
_BARE_OLD = re.compile(rf"^{_OLD_ID}{_VERSION}$")
# Inside a URL path: an ID that fills whole path segments, optionally followed by `.pdf`.
_PATH_NEW = re.compile(rf"(?:^|/)(?:arxiv\.)?{_NEW_ID}{_VERSION}(?:\.pdf)?(?=/|$)", re.IGNORECASE)
_PATH_OLD = re.compile(rf"(?:^|/){_OLD_ID}{_VERSION}(?:\.pdf)?(?=/|$)")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_DOI = re.compile(r"^(?:doi:\s*)?(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "doi.acm.org", "doi.ieeecomputersociety.org"})
_DOI_IN_PATH = re.compile(r"/doi/(?:abs/|full/|pdf/|epdf/)?(?P<doi>10\.\d{4,9}/[^?#]+)")

# Query parameters that only track where a click came from; they never change the page.
TRACKING_PARAMS = frozenset(
    {
        "spm_id_from",
        "vd_source",
        "share_code",
        "share_source",
        "share_medium",
        "share_plat",
        "share_tag",
        "share_session_id",
        "share_from",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "ref_url",
        "from_source",
        "scene",
        "chksm",
        "srcid",
        "sharer_sharetime",
        "sharer_shareid",
        "clicktime",
        "enterid",
        "exportkey",
        "pass_ticket",
        "wx_header",
        "poc_token",
        "utm",
        "from",
        "is_from",
        "timestamp",
        "unique_k",
        "bd_vid",
        "si",
        "feature",
        "via",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Pages that are papers even without an arXiv ID or DOI in the URL (venues and paper indexes).
PAPER_HOSTS = frozenset(
    {
        "openreview.net",
        "aclanthology.org",
        "proceedings.mlr.press",
        "papers.nips.cc",
        "proceedings.neurips.cc",
        "openaccess.thecvf.com",
        "ieeexplore.ieee.org",
        "dl.acm.org",
        "semanticscholar.org",
        "www.usenix.org",
        "usenix.org",
        "paperswithcode.com",
        "ojs.aaai.org",
        "link.springer.com",
        "mlsys.org",
        "vldb.org",
    }
)
# Hosts whose pages of one work differ only in path: (those paths, the query parameter naming the work, the
# page the work is keyed by). `openreview.net/pdf?id=X` and `/forum?id=X&noteId=Y` are one paper.
SAME_PAGE: dict[str, tuple[frozenset[str], str, str]] = {
    "openreview.net": (
        frozenset({"/forum", "/pdf", "/attachment", "/revisions", "/references"}),
        "id",
        "https://openreview.net/forum?id={}",
    ),
}
_GITHUB_NOT_REPOS = frozenset(
    {
        "orgs",
        "user-attachments",
        "settings",
        "topics",
        "features",
        "marketplace",
        "sponsors",
        "about",
        "login",
        "notifications",
        "explore",
        "search",
        "apps",
    }
)


@dataclass(frozen=True)
class Reference:
    """What one piece of user input points at, with the key that identifies it in the library."""

    kind: str  # paper | article | repo
    key: str
    url: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    doi: str | None = None


def _valid_new_style(yymm: str, num: str) -> bool:
    yy, mm = int(yymm[:2]), int(yymm[2:])
    if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
        return False
    return len(num) == (4 if (yy, mm) <= (14, 12) else 5)


def _valid_old_style(archive: str, old: str) -> bool:
    mm = int(old[2:4])
    return archive in OLD_ARCHIVES and 1 <= mm <= 12


def _from_match(m: re.Match[str]) -> tuple[str, int | None] | None:
    groups = m.groupdict()
    version = int(groups["version"]) if groups.get("version") else None
    if groups.get("yymm"):
        if not _valid_new_style(groups["yymm"], groups["num"]):
            return None
        return f"{groups['yymm']}.{groups['num']}", version
    archive = groups["archive"].lower()
    if not _valid_old_style(archive, groups["old"]):
        return None
    return f"{archive}/{groups['old']}", version


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """A bare arXiv ID (with optional `arXiv:` prefix and version) → (versionless ID, version)."""
    text = text.strip()
    if text.lower().startswith("arxiv:"):
        text = text[6:].strip()
    for pattern in (_BARE_NEW, _BARE_OLD):
        m = pattern.match(text)
        if m:
            return _from_match(m)
    return None


def find_arxiv_id_in_url(url: str) -> tuple[str, int | None] | None:
    """An arXiv ID carried by a URL of any host (arxiv.org, mirrors, DOI 10.48550), or None."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.endswith("github.com") or host.endswith("githubusercontent.com"):
        return None
    path = parts.path
    doi = _doi_from_url(parts.hostname or "", path)
    if doi:
        m = _ARXIV_DOI.match(doi)
        return parse_arxiv_id(m.group("id")) if m else None
    for pattern in (_PATH_NEW, _PATH_OLD):
        for m in pattern.finditer(path):
            found = _from_match(m)
            if found:
                return found
    # Some mirrors carry the ID in the query: ?id=2408.11743 or ?arxiv=…
    for _, value in parse_qsl(parts.query):
        found = parse_arxiv_id(value)
        if found:
            return found
    return None


def doi_in_url(url: str) -> str | None:
    """The DOI a URL resolves (`https://doi.org/10.1145/…`, `dl.acm.org/doi/10.1145/…`), or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return _doi_from_url(parts.hostname or "", parts.path)


def _doi_from_url(host: str, path: str) -> str | None:
    host = host.lower().removeprefix("www.")
    if host in _DOI_HOSTS:
        return path.lstrip("/") or None
    m = _DOI_IN_PATH.search(path)
    return m.group("doi") if m else None


def arxiv_reference(arxiv_id: str, version: int | None = None) -> Reference:
    return Reference(
        kind=Kind.PAPER,
        key=f"arxiv:{arxiv_id}",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        arxiv_version=version,
    )


def doi_reference(doi: str) -> Reference:
    m = _ARXIV_DOI.match(doi)
    if m:
        found = parse_arxiv_id(m.group("id"))
        if found:
            return arxiv_reference(*found)
    doi = doi.rstrip(".,;")
    return Reference(kind=Kind.PAPER, key=f"doi:{doi.lower()}", url=f"https://doi.org/{doi}", doi=doi)


def canonical_url(url: str) -> str:
    """Scheme/host case, `www.`, default port, trailing slash, fragment and tracking parameters removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
        ]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _same_page(url: str) -> str:
    """One paper's several pages (OpenReview's `pdf?id=X` and `forum?id=X`) → the page that names it."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    rule = SAME_PAGE.get(host)
    if rule is None or parts.path.rstrip("/") not in rule[0]:
        return url
    value = dict(parse_qsl(parts.query)).get(rule[1], "").strip()
    return rule[2].format(quote(value, safe="")) if value else url


def _github_reference(url: str) -> Reference | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host != "github.com":
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0].lower() in _GITHUB_NOT_REPOS:
        return None
    if parts.path.lower().endswith(".pdf"):
        return None  # `owner/repo/blob/main/report.pdf`: a paper kept in a repo, not the repo
    owner, repo = segments[0], segments[1].removesuffix(".git")
    return Reference(
        kind=Kind.REPO, key=f"github:{owner.lower()}/{repo.lower()}", url=f"https://github.com/{owner}/{repo}"
    )


def is_url(text: str) -> bool:
    """An http(s) URL with a dotted host that Python can take apart (ports, brackets and all)."""
    try:
        parts = urlsplit(text.strip())
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")


def url_reference(url: str) -> Reference:
    """Any http(s) URL → paper (arXiv, DOI), repo (GitHub) or article."""
    found = find_arxiv_id_in_url(url)
    if found:
        return arxiv_reference(*found)
    parts = urlsplit(url.strip())
    doi = _doi_from_url(parts.hostname or "", parts.path)
    if doi:
        return doi_reference(doi)
    repo = _github_reference(url)
    if repo:
        return repo
    clean = canonical_url(_same_page(url))
    key_url = "https://" + clean.split("://", 1)[1] if clean.startswith("http://") else clean
    host = (urlsplit(clean).hostname or "").removeprefix("www.")
    kind = Kind.PAPER if host in PAPER_HOSTS or clean.lower().endswith(".pdf") else Kind.ARTICLE
    return Reference(kind=kind, key=f"url:{key_url}", url=clean)


def parse_reference(text: str) -> Reference:
    """Any user input → a Reference, or an InvalidInputError whose hint lists the accepted forms."""
    raw = text.strip()
    if not raw:
        raise InvalidInputError("nothing to add: the input is empty", ACCEPTED_FORMS_HINT)
    found = parse_arxiv_id(raw)
    if found:
        return arxiv_reference(*found)
    m = _DOI.match(raw)
    if m:
        return doi_reference(m.group("doi"))
    if is_url(raw):
        return url_reference(raw)
    bare = with_scheme(raw)
    if bare:  # `www.example.org/x`, `arxiv.org/pdf/2408.11743v2` typed without https://
        return url_reference(bare)
    if re.match(r"^(?:arxiv:)?\d{4}\.\d{4,5}(?:v\d+)?$", raw, re.IGNORECASE):
        raise InvalidInputError(f"{raw!r} looks like an arXiv ID but no such ID can exist", ACCEPTED_FORMS_HINT)
    raise InvalidInputError(f"{raw!r} is neither a URL nor an arXiv ID", ACCEPTED_FORMS_HINT)


_REPO_REF = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]+)$")
_HOSTLIKE = re.compile(
    r"^(?:(?:[a-z0-9-]+\.)+[a-z]{2,}|(?:\d{1,3}\.){3}\d{1,3})(?::\d+)?(?:[/?#]|$)", re.IGNORECASE
)  # `example.org/x`, `127.0.0.1:8765/x`
_FILE_SUFFIXES = frozenset({"pdf", "md", "txt", "bib", "json", "jsonl", "html", "htm", "csv", "docx", "zip", "py"})
_CITATION_KEY = re.compile(r"^[A-Za-z][\w:./+-]*$")  # DBLP:conf/osdi/Zheng22 too
ITEM_REF_HINT = 'give an id, arXiv ID, DOI, URL, owner/repo or citation key; "readlist list" shows ids'


def with_scheme(text: str) -> str | None:
    """`www.example.org/x` or `example.org/x` typed without a scheme → `https://…`; None if not host-like."""
    raw = text.strip()
    if "://" in raw or not _HOSTLIKE.match(raw):
        return None
    if "/" not in raw and raw.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
        return None  # `paper.pdf`, `notes.md`: a file name, not a web site
    candidate = "https://" + raw
    return candidate if is_url(candidate) else None


def parse_item_ref(text: str) -> tuple[str, int | str]:
    """How the user names an existing item: ("id", 12), ("key", "arxiv:…"/"doi:…"/"github:…"/"url:…")
    or ("citation", "frantar2024marlin")."""
    raw = text.strip()
    if raw.isdecimal() and raw.isascii():
        if int(raw) > 2**63 - 1:  # no SQLite row has it, and asking would overflow the driver
            raise NotFoundError(f"no item {raw}", 'run "readlist list" to see ids')
        return "id", int(raw)
    found = parse_arxiv_id(raw) or (find_arxiv_id_in_url(raw) if is_url(raw) else None)
    if found:
        return "key", f"arxiv:{found[0]}"
    m = _DOI.match(raw)
    if m:
        return "key", doi_reference(m.group("doi")).key
    if is_url(raw):
        return "key", url_reference(raw).key
    repo = _REPO_REF.match(raw)
    if repo and "." not in repo.group("owner"):
        return "key", f"github:{raw.lower().removesuffix('.git')}"
    bare = with_scheme(raw)
    if bare:
        return "key", url_reference(bare).key
    if _CITATION_KEY.match(raw):
        return "citation", raw
    raise InvalidInputError(f"{raw!r} does not name an item", ITEM_REF_HINT)
