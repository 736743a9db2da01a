"""Markdown blocks → item drafts: tags from headings, titles and notes from the text around each link.

Two shapes cover the notes we have seen, and are told apart by structure, never by file name:
- an *item section*: an un-numbered heading naming one paper/repo/article whose bare link comes first
  (`## Marlin 5` / full title / `https://arxiv.org/pdf/…  IST 2024.8` / code links / the user's summary);
- a *list section*: headings as topics over tables, lists and paragraphs of links (numbered blog headings,
  awesome-lists, chat logs).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from readlist.domain import Kind, LinkRole
from readlist.ids import Reference
from readlist.importer.entry import identify
from readlist.importer.headings import clean_heading, is_date_only, is_numbered, split_rating, topic_of
from readlist.importer.links import classify, is_generic_text, is_profile, link_title, role_for
from readlist.importer.markdown import Block, Line, Link
from readlist.importer.nearby import (
    DATE,
    bare_words,
    beside,
    is_label,
    looks_like_title,
    note_near,
    says_something,
    strip_link_urls,
    tidy,
    title_beside,
    weight,
)
from readlist.importer.tables import (
    RowFields,
    clean_title,
    describe,
    is_description,
    read_lead,
    roles_of,
    row_fields,
    words_before,
)
from readlist.importer.words import is_generic_heading
from readlist.store.provenance import Origin
from readlist.store.records import ItemDraft, NoteDraft, SourceDraft

_PAPER_LABEL = re.compile(r"^\W*(?:paper|论文|pdf|arxiv)\W*$", re.IGNORECASE)
NAMED_SIBLINGS = 2  # more named links listed beside an item section's link make the section a list
ITEM_SECTION_WINDOW = 3  # the primary link must appear within the first blocks of an item section
_SENTENCE_END = re.compile(r"[，。；;]|[,.!?]\s|[.!?]$")
_LEADS_ON = re.compile(r"[，。；]|[:：.。]\s*$")
PROSE = 20  # a link-less line this long (and not a title) is the user's own writing


@dataclass
class Skipped:
    boilerplate: int = 0
    no_link: int = 0


@dataclass
class Extraction:
    drafts: list[ItemDraft] = field(default_factory=list)
    skipped: Skipped = field(default_factory=Skipped)


class _Doc:
    """State while walking one file's blocks, chunk after chunk."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.first_line = 1
        self.result = Extraction()
        self.occurrences: Counter[int] = Counter()  # hashes of (key, section): ints, not tuples of URLs, at 300k items

    def line_text(self, number: int) -> str:
        index = number - self.first_line
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def draft(self, ref: Reference, line: int, path: list[str], **fields: object) -> ItemDraft:
        section = " > ".join(path) or "(top)"
        seen = hash((ref.key, section))
        self.occurrences[seen] += 1
        n = self.occurrences[seen]
        note = fields.pop("note", None)
        draft = ItemDraft(ref=ref, tags=list(path), sources=[SourceDraft(self.file, line, section)], **fields)  # type: ignore[arg-type]
        if isinstance(note, str) and note.strip():
            draft.notes.append(NoteDraft(note.strip(), source=f"{self.file}#{section}#{n}"))
        self.result.drafts.append(draft)
        return draft


# A title read from a link's text is a guess (store/provenance.py): the source's own title may replace it.
_GUESSED = {"title": Origin.GUESS.value}


def _title_heading_index(blocks: list[Block]) -> int | None:
    """The document title: the first heading, when later headings sit below it (never a lone heading)."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    if len(headings) < 2:
        return None
    first = headings[0]
    if is_date_only(blocks[first].text):  # `## 2024`: the first of the sections by date
        return None
    if all(blocks[i].level >= blocks[first].level for i in headings[1:]) and blocks[first].level <= 2:
        return first
    return None


def _sections(blocks: list[Block]) -> list[tuple[int | None, int, int]]:
    """(heading index or None, first block, end block) for every stretch between headings."""
    cuts = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    spans: list[tuple[int | None, int, int]] = [(None, 0, cuts[0] if cuts else len(blocks))]
    for n, h in enumerate(cuts):
        spans.append((h, h + 1, cuts[n + 1] if n + 1 < len(cuts) else len(blocks)))
    return spans


def _first_link(blocks: list[Block], start: int, end: int) -> tuple[int, Line, Link] | None:
    for i in range(start, min(end, start + ITEM_SECTION_WINDOW)):
        block = blocks[i]
        if block.kind == "row":
            return None
        for line in block.lines:
            for link in line.links:
                if classify(link.url) is not None:
                    return i, line, link
    return None


def _is_item_section(blocks: list[Block], h: int, start: int, end: int) -> tuple[int, Line, Link] | None:
    """The section's first link when the heading names that one paper or page (`## Marlin 5`), else None.

    It does when that link stands on its own line (a label such as `paper:` at most before it), the heading is
    not a generic word (`Weekly reading`, `微信`, `x`), and the section does not go on like a list: no other
    entry (a link standing on its own line: for a paper, another paper — its repos and articles are its links)
    in the same paragraph or list, and not several entries with no writing of the user's around them."""
    heading = blocks[h].text
    if is_numbered(heading):
        return None
    found = _first_link(blocks, start, end)
    if found is None:
        return None
    i, line, link = found
    if link.text and not is_generic_text(link.text):
        return None  # a list of named links under a topic heading
    ref = classify(link.url)
    if ref is None or not is_label(line.text[: link.start]):
        return None
    name = split_rating(clean_heading(heading))[0]
    if name and is_generic_heading(name):
        return None
    group = {i}  # the link's paragraph, or the whole list when the link is a list item
    if blocks[i].in_list:
        for step in (-1, 1):
            j = i + step
            while start <= j < end and blocks[j].kind == "paragraph" and blocks[j].in_list:
                group.add(j)
                j += step
    named = sum(1 for j in group for ln in blocks[j].lines if ln.number != line.number and _names_an_item(ln))
    if named > NAMED_SIBLINGS:
        return None  # `- [github仓库](…)` atop a list of named posts: a topic's list, not one item
    lines = [(j, ln) for j in range(start, end) for ln in blocks[j].lines]
    entries = {ref.key}
    prose = False
    for n, (j, ln) in enumerate(lines):
        if not ln.links:
            following = lines[n + 1][1] if n + 1 < len(lines) else None
            # A line right above an entry is its title, unless it is a sentence leading to it (`…情况：`).
            titles_next = following is not None and _entry(following) is not None and not _LEADS_ON.search(ln.text)
            prose = prose or (_is_prose(ln.text) and not titles_next)
            continue
        other = _entry(ln)
        if other is None or other.key in entries or (ref.kind == Kind.PAPER and other.kind != Kind.PAPER):
            continue
        if j in group:
            return None  # `https://arxiv.org/abs/A …` then `https://arxiv.org/abs/B …`: a list
        entries.add(other.key)
    return None if len(entries) > 1 and not prose else found


def _names_an_item(line: Line) -> bool:
    """A list line whose first link is a reading item with a name of its own (`- [RWKV 模型解析](…)`)."""
    first = line.links[0] if line.links else None
    return first is not None and classify(first.url) is not None and link_title(first.text, first.url) is not None


def _is_prose(text: str) -> bool:
    """A line of the user's own writing: long enough, and a sentence rather than a title."""
    text = text.strip()
    return len(text) >= PROSE and (not looks_like_title(text) or bool(_SENTENCE_END.search(text)))


def _entry(line: Line) -> Reference | None:
    """The reading item a line stands for: its first link, with at most a label before it."""
    first = line.links[0] if line.links else None
    if first is None or (first.text and not is_generic_text(first.text)) or not is_label(line.text[: first.start]):
        return None
    return classify(first.url)


_IN_ITEM = "\x00item"  # a heading path's mark for an item section (never a tag)


class Extractor:
    """Drafts from a file's blocks, fed one chunk at a time; headings carry over from chunk to chunk."""

    def __init__(self, file: str, title_line: int | None = None) -> None:
        self.doc = _Doc(file)
        self.title_line = title_line  # the document title's heading: not a tag
        self.path: list[tuple[int, str]] = []  # (level, tag); _IN_ITEM for an item section's heading

    def feed(self, blocks: list[Block], text: str, first_line: int = 1) -> list[ItemDraft]:
        doc = self.doc
        doc.blocks, doc.lines, doc.first_line = blocks, text.split("\n"), first_line
        doc.result.drafts = []
        for h, start, end in _sections(blocks):
            if h is not None:
                heading = blocks[h]
                is_title = heading.line == self.title_line
                self.path = [(lvl, tag) for lvl, tag in self.path if lvl < heading.level]
                primary = None if is_title else _is_item_section(blocks, h, start, end)
                if primary is not None:
                    _item_section(doc, h, start, end, primary, self._tags())
                    # Sub-headings of an item section (e.g. "论文深入解析") belong to the item, not to topics.
                    self.path.append((heading.level, _IN_ITEM))
                    continue
                self.path.append((heading.level, "" if is_title else topic_of(heading.text)))
                if self.path[-1][1] == "" and not is_title and not is_numbered(heading.text) and self._in_item():
                    continue  # an empty heading inside an item section: what follows is part of that item
            _list_section(doc, blocks[start:end], self._tags())
        return doc.result.drafts

    def _in_item(self) -> bool:
        return any(tag == _IN_ITEM for _, tag in self.path)

    def _tags(self) -> list[str]:
        return [tag for _, tag in self.path if tag and tag != _IN_ITEM]

    @property
    def skipped(self) -> Skipped:
        return self.doc.result.skipped


def extract(file: str, text: str, blocks: list[Block]) -> Extraction:
    """All drafts of a whole text at once (small files and tests)."""
    title_idx = _title_heading_index(blocks)
    extractor = Extractor(file, blocks[title_idx].line if title_idx is not None else None)
    drafts = extractor.feed(blocks, text)
    return Extraction(drafts, extractor.skipped)


def _item_section(doc: _Doc, h: int, start: int, end: int, primary: tuple[int, Line, Link], tags: list[str]) -> None:
    blocks = doc.blocks
    short_name, rating = split_rating(clean_heading(blocks[h].text))
    block_idx, link_line, link = primary
    ref = classify(link.url)
    assert ref is not None
    title = None
    rest = strip_link_urls(link_line.text[link.end :])  # what comes before the link is at most a label
    block = blocks[block_idx]
    before = [ln for ln in block.lines if ln.number < link_line.number and not ln.links]
    if before and looks_like_title(before[-1].text):
        title = before[-1].text.strip()
    elif block_idx > start:
        prev = blocks[block_idx - 1]
        if prev.kind == "paragraph" and prev.lines and looks_like_title(prev.lines[-1].text):
            title = prev.lines[-1].text.strip()
    lead = [ln for b in blocks[start:block_idx] for ln in b.lines if not ln.links] + before
    if title is None:  # the paper's title further up, past a venue line (`Title` / `- Micro25：…` / `- link`)
        title = next((ln.text.strip() for ln in reversed(lead) if looks_like_title(ln.text)), None)
    if title is None and looks_like_title(rest) and not _who_or_where(rest):
        title, rest = rest, ""  # not `ali Qwen, NIPS25`: that is who and where
    # The words after the link: who (affiliation), where (venue), remarks such as 未开源 (a note).
    said = describe(DATE.sub(" ", rest), team=True)
    dated = DATE.search(rest)  # `https://arxiv.org/abs/… IST Austria 2024.08.21 ASPLOS26`: when it came out
    venue = said.venue or next((v for ln in lead if (v := describe(ln.text, team=False).venue)), None)
    code = None
    if ref.kind == Kind.REPO and title and (venue or _PAPER_LABEL.search(link_line.text[: link.start])):
        # A paper's section whose link is its code (`Title` / `- Micro25` / `- github.com/…`): the paper, with
        # the repo as its code link.
        code, ref = ref, identify(arxiv=None, doi=None, url=None, title=title, paper=True) or ref
    draft = doc.draft(
        ref,
        link.line,
        tags,
        title=title or short_name,
        short_name=short_name,
        rating=rating,
        affiliation=said.affiliation,
        venue=venue,
        published=describe(dated.group(0), team=False).published if dated else None,
        note=" ".join(said.remarks) or None,
    )
    if code is not None:
        draft.links.append((code.url, LinkRole.CODE))
    # The rest of the section is the user's summary: markdown kept, minus links-only lines and images.
    last_line = blocks[end].line - 1 if end < len(blocks) else doc.first_line + len(doc.lines) - 1
    skip_lines = {blocks[h].line, link_line.number}
    if title:
        skip_lines |= {ln.number for b in blocks[start : block_idx + 1] for ln in b.lines if ln.text.strip() == title}
    for b in blocks[start:end]:
        for ln in b.lines:
            for k, other in enumerate(ln.links):
                other_ref = classify(other.url)
                if other_ref is None or other.url == link.url:
                    continue
                if other_ref.key == ref.key:
                    continue
                if other_ref.arxiv_id or ref.kind != Kind.PAPER:
                    # Another paper the summary cites, or any link beside a page: items of their own.
                    named = link_title(other.text, other.url)
                    title = named or title_beside(*beside(ln, k))
                    cited = doc.draft(other_ref, other.line, tags, title=title, note=note_near(ln, k, title))
                    cited.provenance = dict(_GUESSED) if named else {}
                if not other_ref.arxiv_id:
                    draft.links.append((other_ref.url, role_for(other_ref, other.url)))
            if ln.links and not strip_link_urls(ln.text).strip(":： "):
                skip_lines.add(ln.number)
            elif ln.links and re.fullmatch(r"[\w\s]{0,20}[:：]\s*", strip_link_urls(ln.text) + ":"):
                skip_lines.add(ln.number)  # "GitHub: https://…"
    body = []
    for number in range(blocks[h].line, last_line + 1):
        raw = doc.line_text(number)
        if number in skip_lines or raw.lstrip().startswith("<img") or raw.lstrip().startswith("!["):
            continue
        body.append(raw)
    note = "\n".join(body).strip()
    if note:
        section = f"{' > '.join(tags) or '(top)'} > {short_name}"
        seen = hash(("#section", section))
        doc.occurrences[seen] += 1
        n = doc.occurrences[seen]
        draft.notes.append(NoteDraft(note, source=f"{doc.file}#{section}#{n}"))


def _who_or_where(text: str) -> bool:
    """Words after a link that say who made it and where it appeared (`ali Qwen, NIPS25`), not its title."""
    said = describe(DATE.sub(" ", text), team=False)
    return bool(said.venue or said.affiliation or DATE.search(text))


def _list_section(doc: _Doc, blocks: list[Block], tags: list[str]) -> None:
    for i, block in enumerate(blocks):
        if block.kind == "row":
            _table_row(doc, block, tags)
        elif block.kind == "paragraph":
            previous = blocks[i - 1] if i and blocks[i - 1].kind == "paragraph" else None
            _paragraph(doc, block, previous, tags)


def _named(link: Link) -> bool:
    """The user gave the link a name of its own (`[How to Do Great Work](…)`), not `[GitHub](…)` or none."""
    return bool(link.text) and not is_generic_text(link.text)


def _skip(doc: _Doc, url: str, front: bool, named: bool = False) -> bool:
    ref = classify(url)
    if ref is None:
        if url.startswith(("http://", "https://")):
            doc.result.skipped.boilerplate += 1
        return True
    if front and is_profile(ref.url, named=named):
        doc.result.skipped.boilerplate += 1
        return True
    return False


MAX_NOTE = 2000
CONTEXT_LINES = 8  # lines this close to a lone link's line are its context


def _paragraph(doc: _Doc, block: Block, previous: Block | None, tags: list[str]) -> None:
    if block.in_front and not block.in_list and all(not ln.links for ln in block.lines):
        return
    for n, line in enumerate(block.lines):
        for k, link in enumerate(line.links):
            # A link named in a list is the user's pick; a name in front prose may be the author's (`作者：[Name](…)`).
            if _skip(doc, link.url, block.in_front, _named(link) and block.in_list):
                continue
            ref = classify(link.url)
            assert ref is not None
            named = link_title(link.text, link.url)
            title, date = clean_title(named) if named else (None, None)
            title = title or None
            guessed = dict(_GUESSED) if title else {}  # a link's text: real metadata may replace it
            before, after = beside(line, k)
            if title is None:
                title = title_beside(before, after)
            used_title_line = None
            if title is None and is_label(before) and not bare_words(after):
                # A URL alone on its line: its title is often the line right before.
                above = block.lines[n - 1] if n else None
                if above is None and previous is not None and len(block.lines) == 1:
                    above = previous.lines[-1] if previous.lines else None
                if above is not None and not above.links and looks_like_title(above.text):
                    title, used_title_line = above.text.strip(), above.number
            note = note_near(line, k, title)
            said = _read_like_cells(before, after) if link.text and len(line.links) == 1 else None
            if said is not None:
                note = said.note
            if len(line.links) == 1:  # the link-less lines around a lone link say what it is
                nearby = (
                    block.lines[max(0, n - CONTEXT_LINES) : n + CONTEXT_LINES + 1]
                    if len(block.lines) > 2 * CONTEXT_LINES + 1
                    else block.lines
                )
                context = [note or ""] + [
                    strip_link_urls(ln.text[:MAX_NOTE])
                    for ln in nearby
                    if not ln.links and ln.number != used_title_line
                ]
                note = " ".join(c for i, c in enumerate(context) if c and (i == 0 or weight(c) >= 4))[:MAX_NOTE]
            if said is None:
                doc.draft(ref, link.line, tags, title=title, note=note or None, published=date, provenance=guessed)
                continue
            doc.draft(
                ref,
                link.line,
                tags + said.tags,
                title=title,
                note=note or None,
                published=said.published or date,
                venue=said.venue,
                affiliation=said.affiliation,
                provenance=guessed,
            )


def _read_like_cells(before: str, after: str) -> RowFields | None:
    """A named link on its own line read like a table row: what is before it only a lead (`2025-01-02 [cs.CL]`,
    `【量化】`: date and topics), the words after it a team, a venue, a date and remarks (`MIT Han Lab, MLSys
    2024 Best Paper`). None when the line is a sentence around the link (its note stays as written)."""
    lead = read_lead(before)
    if lead is None:
        return None
    out = RowFields(published=lead.published, venue=lead.venue, tags=list(lead.tags))
    after = bare_words(after)
    said = describe(after, team=False)
    if (said.venue or said.affiliation) and not is_description(after):
        out.venue, out.affiliation = out.venue or said.venue, said.affiliation
        out.published = out.published or said.published
        out.note_parts = [" ".join(said.remarks)]
    elif says_something(after):
        out.note_parts = [tidy(after)]
    return out


ROW_MESH = 32  # up to this many items in a row, each links to every other


def _table_row(doc: _Doc, block: Block, tags: list[str]) -> None:
    """Every reading item of a row becomes an item; they share the row's fields and link to each other."""
    cells, header = block.cells, block.header
    # A byline table before the first heading (date, author, GitHub, CSDN, blog): its profile links are who
    # wrote the notes; its other links (the post on CSDN, on the blog) are still articles.
    roles = roles_of(tuple(header))
    byline = block.in_front and roles["link"] is None and roles["note"] is None
    link_col = roles["link"]
    if link_col is None or link_col >= len(cells) or not cells[link_col].links:
        link_col = next((i for i, c in enumerate(cells) if c.links), None)
    if link_col is None:
        doc.result.skipped.no_link += 1
        return
    fields = row_fields(block, link_col)
    drafts: list[ItemDraft] = []
    by_key: dict[str, ItemDraft] = {}
    for i, cell in enumerate(cells):
        for k, link in enumerate(cell.links):
            ref = classify(link.url)
            if ref is None or _skip(doc, link.url, False):
                continue
            # Outside the link column a named link is an article (`[How to Do Great Work](…/greatwork.html)`),
            # unless the row names who made the item there: the team's or author's page (`[PaddlePaddle](…/lite)`).
            who = byline or i in (roles["team"], roles["author"])
            if (i != link_col or byline) and is_profile(ref.url, named=_named(link), who=who):
                doc.result.skipped.boilerplate += byline
                continue  # a team's, author's or product's home page says who, not what to read
            # `[cs.CL] 2405.04434 DeepSeek-V2 [link](…)`: a generic link's title is the words before it
            named = link_title(link.text, link.url) or words_before(cell, k).strip()
            title, date = clean_title(named) if named and not is_label(named) else (None, None)
            same = by_key.get(ref.key)
            if same is not None:  # mentioned again in the row: the first mention stays, a title fills in
                same.title = same.title or title or None
                continue
            primary = i == link_col or bool(ref.arxiv_id or ref.doi)
            draft = doc.draft(
                ref,
                link.line,
                tags + fields.tags,
                title=title or None,
                note=fields.note if primary else None,
                affiliation=fields.affiliation,
                venue=fields.venue if primary else None,
                published=fields.published or date,
            )
            draft.authors = list(fields.authors)
            drafts.append(draft)
            by_key[ref.key] = draft
    # Each item links to the row's others; a row of more items than any real table has (a pasted link dump)
    # links them through its first item only, so links stay linear in the row's size.
    hub = drafts[:1] if len(drafts) > ROW_MESH else drafts
    for draft in drafts:
        for other in hub if draft is not drafts[0] else drafts:
            if other is not draft:
                role = (
                    LinkRole.CODE if other.ref.kind == Kind.REPO and draft.ref.kind == Kind.PAPER else LinkRole.RELATED
                )
                draft.links.append((other.ref.url, role))
