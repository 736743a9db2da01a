"""Semantic Scholar Graph API batch lookup: arXiv preprints → their published DOI, venue and year."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from readlist.domain import year_of
from readlist.net.metadata import WorkDetails, WorkMetadata, as_dict, as_list, as_text, clean_text, parse_json

DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
FIELDS = "externalIds,venue,year,publicationVenue,title,publicationTypes"
BATCH_SIZE = 500  # the API's own limit per request


def endpoint() -> str:
    return os.environ.get("READLIST_S2_URL", DEFAULT_URL).rstrip("/")


def batch_url() -> str:
    return f"{endpoint()}/paper/batch"


def batch_body(arxiv_ids: list[str]) -> bytes:
    return json.dumps({"ids": [f"ARXIV:{i}" for i in arxiv_ids]}).encode()


def headers() -> dict[str, str]:
    out = {"Content-Type": "application/json"}
    key = os.environ.get("S2_API_KEY", "").strip()
    if key:
        out["x-api-key"] = key
    return out


def _work_type(paper: Mapping[str, object]) -> str | None:
    venue = as_dict(paper.get("publicationVenue"))
    kind = str(venue.get("type") or "").lower()
    types = [str(t) for t in as_list(paper.get("publicationTypes"))]
    if kind == "conference" or "Conference" in types:
        return "proceedings-article"
    if kind == "journal" or "JournalArticle" in types:
        return "journal-article"
    return None


def _published(paper: Mapping[str, object]) -> WorkMetadata | None:
    ids = as_dict(paper.get("externalIds"))
    venue_obj = as_dict(paper.get("publicationVenue"))
    venue = clean_text(venue_obj.get("name")) or clean_text(paper.get("venue"))
    doi = clean_text(ids.get("DOI"))
    if doi and doi.lower().startswith("10.48550/"):
        doi = None  # arXiv's own DOI says nothing about publication
    if venue and venue.lower() in ("arxiv", "arxiv.org", "corr"):
        venue = None
    return WorkMetadata(
        source="s2",
        title=clean_text(paper.get("title")),
        venue=venue,
        year=year_of(paper.get("year")),
        doi=doi,
        arxiv_id=clean_text(ids.get("ArXiv")),
        work_type=_work_type(paper) if (doi or venue) else None,
        details=_details(paper, ids),
    )


def _details(paper: Mapping[str, object], ids: Mapping[str, object]) -> WorkDetails:
    details = WorkDetails()
    if paper_id := as_text(paper.get("paperId")):
        details["s2_paper_id"] = paper_id
    if dblp := as_text(ids.get("DBLP")):
        details["dblp"] = dblp
    return details


def parse_batch(body: bytes | str, arxiv_ids: list[str]) -> dict[str, WorkMetadata]:
    """The batch answer is a list in request order with `null` for unknown papers; matched by position
    (S2 guarantees it) and checked against `externalIds.ArXiv` when present."""
    data = parse_json(body)
    if not isinstance(data, list):
        raise ValueError("not a Semantic Scholar batch answer")
    found: dict[str, WorkMetadata] = {}
    for arxiv_id, paper in zip(arxiv_ids, data, strict=False):
        if not isinstance(paper, dict):
            continue  # `null`: S2 does not know this paper
        meta = _published(as_dict(paper))
        if meta is None or (meta.arxiv_id and meta.arxiv_id.lower() != arxiv_id.lower()):
            continue
        found[arxiv_id] = meta
    return found
