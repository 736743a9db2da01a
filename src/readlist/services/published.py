"""`fetch --published`: which arXiv preprints are now published (Semantic Scholar batch, then Crossref)."""

from __future__ import annotations

from readlist import config
from readlist.domain import MetadataStatus
from readlist.net.http import Budget
from readlist.net.works import Lookup
from readlist.services.fetch import FetchReport, Progress
from readlist.services.metadata import apply_work
from readlist.store.merge import find_same_work
from readlist.store.models import Item
from readlist.store.write import FetchTargets, Store


def _published_record(found: Lookup, crossref: Budget) -> Lookup:
    """S2 names the DOI; Crossref then gives the exact venue, year and type of that DOI (one `crossref` budget
    for the whole command: a stalled Crossref costs it about twice its timeout, not that per preprint)."""
    from readlist.net.works import lookup

    if found.meta is None or not found.meta.doi:
        return found
    if crossref.spent():
        return found
    precise = lookup(f"doi:{found.meta.doi.lower()}", f"https://doi.org/{found.meta.doi}", tries=3, budget=crossref)
    if precise.status == MetadataStatus.FETCHED and precise.meta is not None:
        precise.meta.doi = precise.meta.doi or found.meta.doi
        precise.meta.title = None  # the preprint keeps its own title and authors
        precise.meta.authors = []
        return precise
    return found


def find_published(store: Store, refs: list[str], progress: Progress | None = None) -> tuple[FetchReport, int]:
    """Returns the report and how many preprints were checked."""
    from readlist.net.works import published_versions

    targets = FetchTargets.preprints(store, refs)
    report = FetchReport()
    if not targets:
        return report, 0
    answers = published_versions(sorted({arxiv_id for _, arxiv_id in targets}))
    crossref = Budget(config.source_budget(config.source_timeout()))
    report.requests = (len(answers) + 499) // 500
    for done, (item_id, arxiv_id) in enumerate(targets, start=1):
        found = answers.get(arxiv_id, Lookup(MetadataStatus.NOT_FOUND))
        if found.status == MetadataStatus.FETCHED and found.meta is not None and (found.meta.doi or found.meta.venue):
            found = _published_record(found, crossref)
            report.requests += 1 if found.source == "crossref" else 0
            _save(store, item_id, arxiv_id, found, report)
        elif found.status in (MetadataStatus.PENDING, MetadataStatus.FAILED):
            report.failed.append(arxiv_id)
            if found.warning and found.warning not in report.errors:
                report.errors.append(found.warning)
        if progress:
            progress(done, report.requests)
    return report, len(targets)


def _save(store: Store, item_id: int, arxiv_id: str, found: Lookup, report: FetchReport) -> None:
    assert found.meta is not None
    with store.session() as session:
        item = session.get(Item, item_id)
        if item is None:
            return
        other = find_same_work(session, found.meta.doi, None) if found.meta.doi else None
        status = item.metadata_status
        news = apply_work(item, found.meta)
        item.metadata_status = status  # knowing the venue does not mean arXiv's metadata was fetched
        if other is not None and other.id != item_id:
            news.append(f"the published version is also in your list as #{other.id}")
        session.info["touched"].add(item_id)
        report.fetched.append(item_id)
        report.news += [f"#{item_id} {arxiv_id}: {line}" for line in news]
