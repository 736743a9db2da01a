"""GitHub REST: `owner/repo` → description, language, stars, topics, licence, dates."""

from __future__ import annotations

import os
from collections.abc import Mapping

from readlist.domain import year_of
from readlist.net.metadata import WorkDetails, WorkMetadata, as_dict, as_list, as_text, clean_text, parse_json

DEFAULT_URL = "https://api.github.com"


def endpoint() -> str:
    return os.environ.get("READLIST_GITHUB_API_URL", DEFAULT_URL).rstrip("/")


def repo_url(owner: str, repo: str) -> str:
    return f"{endpoint()}/repos/{owner}/{repo}"


def headers() -> dict[str, str]:
    """GitHub asks for its media type and API version; a token (when set) lifts the 60-an-hour limit."""
    out = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if token:
        out["Authorization"] = f"Bearer {token}"
    return out


def parse_repo(body: bytes | str) -> WorkMetadata:
    """A `/repos/{owner}/{repo}` response → metadata; ValueError when it is not a repository object."""
    data = as_dict(parse_json(body))
    if not isinstance(data.get("full_name"), str):
        raise ValueError("not a GitHub repository object")
    login = clean_text(as_dict(data.get("owner")).get("login"))
    details = _details(data)
    return WorkMetadata(
        source="github",
        title=clean_text(data["full_name"]),
        authors=[{"name": login}] if login else [],
        year=year_of(data.get("created_at")),
        published=(clean_text(data.get("created_at")) or "")[:10] or None,
        work_type="software",
        site="GitHub",
        abstract=details.get("description"),
        url=clean_text(data.get("html_url")),
        details=details,
    )


def _details(data: Mapping[str, object]) -> WorkDetails:
    details = WorkDetails()
    if description := clean_text(data.get("description")):
        details["description"] = description
    if language := clean_text(data.get("language")):
        details["language"] = language
    if isinstance(stars := data.get("stargazers_count"), int):
        details["stars"] = stars
    if isinstance(forks := data.get("forks_count"), int):
        details["forks"] = forks
    if topics := [t for t in as_list(data.get("topics")) if isinstance(t, str)]:
        details["topics"] = topics
    licence = as_dict(data.get("license"))
    spdx = as_text(licence.get("spdx_id"))
    if licence_id := spdx if spdx and spdx != "NOASSERTION" else clean_text(licence.get("name")):
        details["license"] = licence_id
    if homepage := clean_text(data.get("homepage")):
        details["homepage"] = homepage
    if data.get("archived"):
        details["archived"] = True
    if data.get("fork"):
        details["fork"] = True
    if created_at := clean_text(data.get("created_at")):
        details["created_at"] = created_at
    if pushed_at := clean_text(data.get("pushed_at")):
        details["pushed_at"] = pushed_at
    return details
