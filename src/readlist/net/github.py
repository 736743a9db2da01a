"""GitHub REST: `owner/repo` → description, language, stars, topics, licence, dates."""

from __future__ import annotations

import json
import os
from typing import Any

from readlist.domain import year_of
from readlist.net.metadata import WorkMetadata, as_dict, clean_text

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
    data: Any = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("full_name"), str):
        raise ValueError("not a GitHub repository object")
    owner = as_dict(data.get("owner"))
    licence = as_dict(data.get("license"))
    spdx = licence.get("spdx_id")
    topics = [t for t in data.get("topics") or [] if isinstance(t, str)]
    details = {
        "description": clean_text(data.get("description")),
        "language": clean_text(data.get("language")),
        "stars": data.get("stargazers_count") if isinstance(data.get("stargazers_count"), int) else None,
        "forks": data.get("forks_count") if isinstance(data.get("forks_count"), int) else None,
        "topics": topics or None,
        "license": (spdx if spdx and spdx != "NOASSERTION" else clean_text(licence.get("name"))),
        "homepage": clean_text(data.get("homepage")),
        "archived": True if data.get("archived") else None,
        "fork": True if data.get("fork") else None,
        "created_at": clean_text(data.get("created_at")),
        "pushed_at": clean_text(data.get("pushed_at")),
    }
    login = clean_text(owner.get("login"))
    return WorkMetadata(
        source="github",
        title=clean_text(data["full_name"]),
        authors=[{"name": login}] if login else [],
        year=year_of(data.get("created_at")),
        published=(clean_text(data.get("created_at")) or "")[:10] or None,
        work_type="software",
        site="GitHub",
        abstract=details["description"],  # type: ignore[arg-type]
        url=clean_text(data.get("html_url")),
        details={k: v for k, v in details.items() if v is not None},
    )
