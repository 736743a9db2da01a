"""`readlist add`: validate every input, save it (pending), ask the sources within a budget, then write what came.

Saving is the plain-SQL write path (no ORM: `add --no-fetch` is a daily command, docs/architecture.md); the network
clients and the ORM session that maps metadata onto items are imported only when metadata is asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from readlist import config
from readlist.domain import MetadataStatus
from readlist.errors import InvalidInputError
from readlist.ids import Reference, parse_reference
from readlist.store import rows, sourcevalues
from readlist.store.drafts import stand_in_title
from readlist.store.merge import Merger, MergeResult, find_same_work, save_text
from readlist.store.provenance import Origin, claimed, is_guess, is_users
from readlist.store.records import ItemDraft, NoteDraft
from readlist.store.rows import ItemRow, marks
from readlist.store.txn import Tx
from readlist.store.write import Store

if TYPE_CHECKING:
    from sqlmodel import Session

    from readlist.net.arxiv import PaperMetadata
    from readlist.net.works import Lookup, Offline
    from readlist.store.models import Item


@dataclass
class AddReport:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    offline: Offline | None = None  # sources found unreachable (when asked), said once


@dataclass
class Input:
    ref: Reference
    title: str | None = None
    files: list[str] = field(default_factory=list)  # local PDFs to attach


def resolve_inputs(inputs: list[str], unreadable: list[str] | None = None) -> list[Input]:
    """Each input → what it names; a local PDF (or a folder of them) is identified from its name or content.
    A PDF named on its own that cannot be read is an error; one found in a folder is named in `unreadable`
    (when given) and the folder's other PDFs are added."""
    from pathlib import Path

    resolved: list[Input] = []
    for text in inputs:
        path = Path(text).expanduser()
        if text.strip() and path.exists():
            from readlist.importer.pdffile import identify_pdf, pdf_files

            for pdf in pdf_files(path):
                try:
                    ref, found_title = identify_pdf(pdf)
                except InvalidInputError as exc:
                    if unreadable is None or not path.is_dir():
                        raise
                    unreadable.append(f"skipped {pdf}: {exc.message.split(': ', 1)[-1]}")
                    continue
                resolved.append(Input(ref, found_title, [str(pdf.resolve())]))
        elif text.strip().lower().endswith(".pdf") and "://" not in text:
            raise InvalidInputError(f"no such file: {text}", "check the path; add takes PDFs, IDs, DOIs and URLs")
        else:
            resolved.append(Input(parse_reference(text)))
    return resolved


def _fetched(store: Store, keys: list[str]) -> set[str]:
    """Which of these keys are items whose metadata was fetched already."""
    done: set[str] = set()
    with store.connection() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found = conn.execute(
                f"SELECT key FROM item WHERE key IN ({marks(chunk)}) AND metadata_status = ?",
                [*chunk, MetadataStatus.FETCHED],
            )
            done.update(str(r[0]) for r in found.fetchall())
    return done


def _needs_metadata(store: Store, refs: list[Reference]) -> list[str]:
    keys = [r.key for r in refs if r.arxiv_id]
    if not keys:
        return []
    done = _fetched(store, keys)
    return sorted({r.arxiv_id for r in refs if r.arxiv_id and r.key not in done})


def _as_existing(item: ItemRow) -> Reference:
    return Reference(kind=item.kind, key=item.key, url=item.url, arxiv_id=item.arxiv_id, doi=item.doi)


def _needs_sources(store: Store, refs: list[Reference]) -> list[Reference]:
    """Non-arXiv items that are new or still lack their metadata."""
    keys = [r.key for r in refs if not r.arxiv_id]
    if not keys:
        return []
    done = _fetched(store, keys)
    return [r for r in {r.key: r for r in refs if not r.arxiv_id}.values() if r.key not in done]


def add_budget() -> float:
    """Seconds `add` may spend on metadata in all (`READLIST_ADD_TIMEOUT` / config `add_timeout`, default 8);
    0 saves without asking, like `--no-fetch`."""
    return config.add_timeout()


def _network_deadline(started: float) -> float:
    """When the network must be done for the whole add to end within its budget, counted from the add's start:
    saving comes before, and writing what came back (with the ORM's import, ~0.5 s) after."""
    budget = add_budget()
    return started + budget - min(WRITE_RESERVE, budget / 4)


WRITE_RESERVE = 0.5  # seconds kept for the second transaction after the network


def _lookup_sources(refs: list[Reference], report: AddReport, deadline: float) -> dict[str, Lookup]:
    """One try per item within the budget; what does not answer in time stays pending for `fetch`. A source
    found unreachable is not asked again for the next items (`report.offline`, said once at the end)."""
    from readlist.net.works import Offline

    report.offline = report.offline or Offline()
    looked: dict[str, Lookup] = {}
    for ref in refs:
        remaining = deadline - time.monotonic()
        if remaining <= 0.2:
            report.warnings.append(f"{ref.url}: no time left; saved with metadata pending — run `readlist fetch`")
            continue
        looked[ref.key] = found = report.offline.lookup(ref.key, ref.url, tries=1, timeout=min(remaining, 8.0))
        later = " — run `readlist fetch` later" if found.status == MetadataStatus.PENDING else ""
        if found.warning and not found.offline and found.warning + later not in report.warnings:
            report.warnings.append(found.warning + later)  # a rate limit is said once
    return looked


def _lookup_arxiv(store: Store, wanted: list[str], report: AddReport, deadline: float) -> ArxivAnswer:
    """One request per 100 papers, none of it past the budget; a failure leaves the papers pending."""
    if not wanted:
        return {}, set()
    from readlist.services.fetch import lookup  # its import (the arXiv client) counts against the budget

    remaining = deadline - time.monotonic()
    if remaining <= 0.2:
        report.warnings.append("no time left for arXiv; saved with metadata pending — run `readlist fetch` later")
        return {}, set()
    found, result = lookup(store, wanted, timeout=remaining, deadline=deadline)
    if result.offline:
        from readlist.net.works import Offline

        why = (result.error or "").removeprefix("cannot reach arXiv (").removesuffix(")")
        report.offline = report.offline or Offline()
        report.offline.places["arXiv"] = [why, *wanted]
    elif result.error:
        report.warnings.append(f"{result.error}; saved with metadata pending — run `readlist fetch` later")
    if result.not_found:
        report.warnings.append(f"arXiv does not know {', '.join(result.not_found)}")
    return found, set(result.not_found)


def _say_offline(report: AddReport) -> None:
    """Offline, one warning for the whole add: which sources could not be reached, why, and what to run later."""
    if report.offline is not None and (said := report.offline.describe()):
        count = report.offline.held()
        report.warnings.insert(0, f"{said}; {count} item(s) saved with metadata pending — run `readlist fetch` later")


ArxivAnswer = tuple[dict[str, "PaperMetadata"], set[str]]


def _answered(looked: dict[str, Lookup], arxiv: ArxivAnswer) -> bool:
    """Whether any source said something to write: metadata, or that it does not know an item."""
    return any(found.status != MetadataStatus.PENDING or found.meta is not None for found in looked.values()) or any(
        arxiv
    )


def _apply_lookup(session: Session, item: Item, found: Lookup) -> list[str]:
    from readlist.services.metadata import apply_work

    if found.status in (MetadataStatus.NOT_FOUND, MetadataStatus.FAILED):
        item.metadata_status = found.status
        return []
    if found.meta is None:
        return []
    news = apply_work(item, found.meta)
    if found.meta.text and item.id is not None:
        save_text(session, item.id, found.meta.text, found.meta.url)
    return news


@dataclass
class Saved:
    """What the first transaction wrote for one input."""

    ref: Reference  # the identity it was saved under (a DOI may have been saved as its arXiv preprint)
    asked: Reference  # what the user typed, which the network was asked about
    item_id: int
    created: bool
    changes: list[str]


def _save(
    store: Store, resolved: list[Input], *, tags: list[str], note: str | None, title: str | None, priority: int | None
) -> list[Saved]:
    """The first, short transaction: every input saved (metadata pending) before the network is asked."""
    saved = []
    with store.transaction() as tx:
        merger = Merger(tx, [one.ref.key for one in resolved], restore_removed=True)  # what the user asks for
        for one in resolved:
            asked = one.ref
            if (one.ref.doi or one.ref.arxiv_id) and one.ref.key not in merger.items:
                # A DOI or arXiv ID the list already has on another item (the preprint, or its published version).
                same = find_same_work(tx, one.ref.doi, one.ref.arxiv_id)
                if same is not None:
                    one.ref = _as_existing(same)
                    merger.preload([one.ref.key])
            draft = ItemDraft(
                ref=one.ref,
                title=title or one.title,
                tags=tags,
                priority=priority,
                notes=[NoteDraft(note, author=store.member)] if note else [],
                attachments=one.files,
                provenance={"title": Origin.USER.value} if title else {},  # typed: no fetch replaces it
            )
            merged = merger.merge(draft)
            if title and not merged.created and "title" not in merged.changes:
                _retitle(tx, merger.items.get(one.ref.key) or rows.by_id(tx.conn, merged.item_id), title, merged)
            if one.ref.arxiv_version:  # the version the user asked for (`…/pdf/2408.11743v2`) is the one they read
                item = merger.items.get(one.ref.key) or rows.by_id(tx.conn, merged.item_id)
                assert item is not None
                item.details = {**(item.details or {}), "asked_version": one.ref.arxiv_version}
                rows.save(tx.conn, item)
            saved.append(Saved(one.ref, asked, merged.item_id, merged.created, merged.changes))
        merger.flush_pending()
    return saved


def _retitle(tx: Tx, item: ItemRow | None, title: str, merged: MergeResult) -> None:
    """`add REF --title T` on an item already in the list is the person naming it again: T replaces the title,
    also one they set before (a merge keeps a person's title against everything else)."""
    if item is None or item.title == title:
        return
    mine = item.provenance
    if not (is_users(mine, "title") or is_guess(mine, "title") or item.title == stand_in_title(item)):
        sourcevalues.keep(item, "title", item.title)  # what the source said waits for `edit --reset title`
    item.title = title
    item.provenance = claimed(item.provenance, ["title"])
    rows.save(tx.conn, item)
    merged.changes.append("title")


def _complete(
    store: Store, saved: list[Saved], looked: dict[str, Lookup], arxiv: ArxivAnswer, report: AddReport
) -> None:
    """The second, short transaction: metadata onto the saved items; a work already in the list absorbs its twin.
    An ORM session: the sources' records are mapped onto `Item` objects (services/metadata.py)."""
    from readlist.services.metadata import apply_metadata
    from readlist.store.models import Item
    from readlist.store.samework import join_same_work

    found, not_found = arxiv
    moved: dict[int, int] = {}  # item folded into another input's item a moment ago → that item
    with store.session() as session:
        for one in saved:
            one.item_id = moved.get(one.item_id, one.item_id)
            item = session.get(Item, one.item_id)
            if item is None:
                continue
            answer = looked.get(one.asked.key)
            news = apply_metadata(item, found[one.ref.arxiv_id]) if one.ref.arxiv_id in found else []
            if answer is not None:
                news += _apply_lookup(session, item, answer)
            if one.ref.arxiv_id in not_found:
                item.metadata_status = MetadataStatus.NOT_FOUND.value
            session.info["touched"].add(item.id)  # re-indexed, and given its citation key once it has authors
            session.flush()
            meta = answer.meta if answer is not None else None
            named = (meta.doi, meta.arxiv_id) if meta is not None else (None, None)
            joined = join_same_work(session, item, doi=named[0], arxiv_id=named[1])
            if joined is None:
                report.lines += [f"  #{one.item_id}: {line}" for line in news]
                continue
            moved[joined.gone_id] = joined.keeper.id or 0
            if answer is not None and meta is not None and meta.doi and joined.keeper is not item:
                _apply_lookup(session, joined.keeper, answer)  # the published version's record, onto the keeper
            if one.created and joined.gone_id == one.item_id:
                one.item_id, one.created = joined.keeper.id or 0, False
                one.changes = ["same work: " + (item.doi or item.key)]
            report.lines += [f"  #{one.item_id}: {line}" for line in news]
    for one in saved:  # an input processed earlier whose item a later one absorbed
        one.item_id = moved.get(one.item_id, one.item_id)


def _describe(store: Store, saved: list[Saved], report: AddReport) -> None:
    """`added #3 paper: Title` / `already in your list as #3: Title (merged: tag x)`, with the final titles."""
    titles: dict[int, tuple[str, str]] = {}
    with store.connection() as conn:
        for item in rows.by_ids(conn, sorted({one.item_id for one in saved})):
            titles[item.id] = (item.kind, item.title)
    lines = []
    for one in saved:
        kind, title = titles.get(one.item_id, ("item", one.ref.url))
        report.item_ids.append(one.item_id)
        if one.created:
            lines.append(f"added #{one.item_id} {kind}: {title}")
        else:
            what = f" (merged: {', '.join(one.changes)})" if one.changes else ""
            lines.append(f"already in your list as #{one.item_id}: {title}{what}")
    report.lines[:0] = lines


def add_items(
    store: Store,
    inputs: list[str],
    *,
    tags: list[str],
    note: str | None = None,
    title: str | None = None,
    priority: int | None = None,
    fetch: bool = True,
    saved_hook: Callable[[list[int]], None] | None = None,
) -> AddReport:
    """Save first, then ask the network within `READLIST_ADD_TIMEOUT`, then write what came back.

    Nothing waits on the network inside a transaction, and Ctrl-C while waiting keeps what was saved (pending,
    for `fetch`). `saved_hook` hears the saved item ids (the Library words an interrupt with them)."""
    started = time.monotonic()
    report = AddReport()
    resolved = resolve_inputs(inputs, report.warnings)  # every input is checked before anything is written
    if not resolved and report.warnings:
        raise InvalidInputError(report.warnings[0], "is it a complete PDF?")  # a folder of unreadable PDFs
    refs = [r.ref for r in resolved]
    if title and len(refs) > 1:
        raise InvalidInputError("--title applies to one item, but several were given", "add them one at a time")
    sources = _needs_sources(store, refs) if fetch else []
    wanted = _needs_metadata(store, refs) if fetch else []
    saved = _save(store, resolved, tags=tags, note=note, title=title, priority=priority)
    if saved_hook is not None:
        saved_hook([one.item_id for one in saved])
    if (sources or wanted) and add_budget() > 0:
        deadline = _network_deadline(started)
        looked = _lookup_sources(sources, report, deadline)
        arxiv = _lookup_arxiv(store, wanted, report, deadline)
        _say_offline(report)
        if _answered(looked, arxiv):  # nothing came back (offline, stalled): nothing to write, no ORM to load
            _complete(store, saved, looked, arxiv, report)
    _describe(store, saved, report)
    return report
