"""`readlist add`: validate every input first, ask arXiv (outside any transaction), then write once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from readlist.errors import InvalidInputError
from readlist.ids import Reference, parse_reference
from readlist.library.merge import Merger, apply_metadata
from readlist.library.records import ItemDraft, NoteDraft
from readlist.library.write import Store
from readlist.models import Item
from readlist.net.arxiv import PaperMetadata


@dataclass
class AddReport:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _needs_metadata(store: Store, refs: list[Reference]) -> list[str]:
    keys = [r.key for r in refs if r.arxiv_id]
    if not keys:
        return []
    with store.session() as session:
        done = session.exec(select(Item.key).where(Item.key.in_(keys), Item.metadata_status == "fetched")).all()  # type: ignore[attr-defined]
    return sorted({r.arxiv_id for r in refs if r.arxiv_id and r.key not in set(done)})


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
    refs = [parse_reference(text) for text in inputs]  # every input is checked before anything is written
    if title and len(refs) > 1:
        raise InvalidInputError("--title applies to one item, but several were given", "add them one at a time")
    report = AddReport()
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
        for ref in refs:
            draft = ItemDraft(
                ref=ref, title=title, tags=tags, priority=priority, notes=[NoteDraft(note)] if note else []
            )
            merged = merger.merge(draft)
            item = session.get(Item, merged.item_id)
            assert item is not None
            news = apply_metadata(item, found[ref.arxiv_id]) if ref.arxiv_id in found else []
            if ref.arxiv_id in not_found:
                item.metadata_status = "not_found"
            report.item_ids.append(merged.item_id)
            if merged.created:
                report.lines.append(f"added #{item.id} {item.kind}: {item.title}")
            else:
                what = f" (merged: {', '.join(merged.changes)})" if merged.changes else ""
                report.lines.append(f"already in your list as #{item.id}: {item.title}{what}")
            report.lines += [f"  #{item.id}: {line}" for line in news]
        merger.flush_pending()
    return report
