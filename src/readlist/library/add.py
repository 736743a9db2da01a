"""`readlist add`: validate every input first, ask arXiv (outside any transaction), then write once."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from readlist import config
from readlist.domain import MetadataStatus
from readlist.errors import InvalidInputError
from readlist.ids import Reference, parse_reference
from readlist.library.mapping import apply_work
from readlist.library.merge import Merger, apply_metadata, find_same_work, save_text
from readlist.library.records import ItemDraft, NoteDraft
from readlist.library.write import Store
from readlist.models import Item
from readlist.net.arxiv import PaperMetadata
from readlist.net.works import Lookup


@dataclass
class AddReport:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


@dataclass
class Input:
    ref: Reference
    title: str | None = None
    files: list[str] = field(default_factory=list)  # local PDFs to attach


def resolve_inputs(inputs: list[str]) -> list[Input]:
    """Each input → what it names; a local PDF (or a folder of them) is identified from its name or content."""
    from pathlib import Path

    resolved: list[Input] = []
    for text in inputs:
        path = Path(text).expanduser()
        if text.strip() and path.exists():
            from readlist.importer.pdffile import identify_pdf, pdf_files

            for pdf in pdf_files(path):
                ref, found_title = identify_pdf(pdf)
                resolved.append(Input(ref, found_title, [str(pdf.resolve())]))
        elif text.strip().lower().endswith(".pdf") and "://" not in text:
            raise InvalidInputError(f"no such file: {text}", "check the path; add takes PDFs, IDs, DOIs and URLs")
        else:
            resolved.append(Input(parse_reference(text)))
    return resolved


def _needs_metadata(store: Store, refs: list[Reference]) -> list[str]:
    keys = [r.key for r in refs if r.arxiv_id]
    if not keys:
        return []
    with store.session() as session:
        done = session.exec(select(Item.key).where(Item.key.in_(keys), Item.metadata_status == "fetched")).all()  # type: ignore[attr-defined]
    return sorted({r.arxiv_id for r in refs if r.arxiv_id and r.key not in set(done)})


def _as_existing(item: Item) -> Reference:
    return Reference(kind=item.kind, key=item.key, url=item.url, arxiv_id=item.arxiv_id, doi=item.doi)


def _same_works(store: Store, refs: list[Reference], looked: dict[str, Lookup]) -> list[Reference]:
    """A DOI (or a Crossref record naming its arXiv preprint) for a work already in the list → that item."""
    out = []
    with store.session() as session:
        for ref in refs:
            meta = looked[ref.key].meta if ref.key in looked else None
            if ref.doi and session.exec(select(Item.id).where(Item.key == ref.key)).first() is None:
                same = find_same_work(session, ref.doi, meta.arxiv_id if meta else None)
                if same is not None:
                    if ref.key in looked:
                        looked[same.key] = looked.pop(ref.key)
                    ref = _as_existing(same)
            out.append(ref)
    return out


def _needs_sources(store: Store, refs: list[Reference]) -> list[Reference]:
    """Non-arXiv items that are new or still lack their metadata."""
    keys = [r.key for r in refs if not r.arxiv_id]
    if not keys:
        return []
    with store.session() as session:
        done = set(session.exec(select(Item.key).where(col(Item.key).in_(keys), Item.metadata_status == "fetched")))
    return [r for r in {r.key: r for r in refs if not r.arxiv_id}.values() if r.key not in done]


def add_budget() -> float:
    """Seconds `add` may spend on metadata in all (`READLIST_ADD_TIMEOUT`, default 8)."""
    try:
        return max(0.5, float(os.environ.get("READLIST_ADD_TIMEOUT", "8")))
    except ValueError:
        return 8.0


def _lookup_sources(refs: list[Reference], report: AddReport) -> dict[str, Lookup]:
    """One try per item within the budget; what does not answer in time stays pending for `fetch`."""
    from readlist.net.works import lookup

    deadline = time.monotonic() + add_budget()
    looked: dict[str, Lookup] = {}
    for ref in refs:
        remaining = deadline - time.monotonic()
        if remaining <= 0.2:
            report.warnings.append(f"{ref.url}: no time left; saved with metadata pending — run `readlist fetch`")
            continue
        looked[ref.key] = found = lookup(ref.key, ref.url, tries=1, timeout=min(remaining, 8.0))
        if found.warning:
            later = " — run `readlist fetch` later" if found.status == "pending" else ""
            report.warnings.append(found.warning + later)
    return looked


def _apply_lookup(session: Session, item: Item, found: Lookup) -> list[str]:
    if found.status in ("not_found", "failed"):
        item.metadata_status = found.status
        return []
    if found.meta is None:
        return []
    news = apply_work(item, found.meta)
    if found.meta.text and item.id is not None:
        save_text(session, item.id, found.meta.text, found.meta.url)
    return news


def add_items(
    store: Store,
    inputs: list[str],
    *,
    tags: list[str],
    note: str | None = None,
    title: str | None = None,
    priority: int | None = None,
    fetch: bool = True,
) -> AddReport:
    resolved = resolve_inputs(inputs)  # every input is checked before anything is written
    refs = [r.ref for r in resolved]
    if title and len(refs) > 1:
        raise InvalidInputError("--title applies to one item, but several were given", "add them one at a time")
    report = AddReport()
    looked = _lookup_sources(_needs_sources(store, refs), report) if fetch else {}
    refs = _same_works(store, refs, looked)
    found: dict[str, PaperMetadata] = {}
    not_found: set[str] = set()
    wanted = _needs_metadata(store, refs) if fetch else []
    if wanted:
        from readlist.library.fetch import lookup

        found, result = lookup(store, wanted)
        if result.error:
            report.warnings.append(f"{result.error}; saved with metadata pending — run `readlist fetch` later")
        not_found = set(result.not_found)
        if not_found:
            report.warnings.append(f"arXiv does not know {', '.join(result.not_found)}")
    with store.session() as session:
        merger = Merger(session, [ref.key for ref in refs])
        for one, ref in zip(resolved, refs, strict=True):  # refs: after a DOI was matched to the same work
            draft = ItemDraft(
                ref=ref,
                title=title or one.title,
                tags=tags,
                priority=priority,
                notes=[NoteDraft(note, author=config.user())] if note else [],
                attachments=one.files,
            )
            merged = merger.merge(draft)
            item = session.get(Item, merged.item_id)
            assert item is not None
            news = apply_metadata(item, found[ref.arxiv_id]) if ref.arxiv_id in found else []
            if ref.key in looked:
                news += _apply_lookup(session, item, looked[ref.key])
            if ref.arxiv_version:  # the version the user asked for (`…/pdf/2408.11743v2`) is the one they read
                item.details = {**(item.details or {}), "asked_version": ref.arxiv_version}
            if ref.arxiv_id in not_found:
                item.metadata_status = MetadataStatus.NOT_FOUND.value
            report.item_ids.append(merged.item_id)
            if merged.created:
                report.lines.append(f"added #{item.id} {item.kind}: {item.title}")
            else:
                what = f" (merged: {', '.join(merged.changes)})" if merged.changes else ""
                report.lines.append(f"already in your list as #{item.id}: {item.title}{what}")
            report.lines += [f"  #{item.id}: {line}" for line in news]
        merger.flush_pending()
    return report
