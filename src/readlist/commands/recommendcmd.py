"""`readlist similar` and `readlist suggest`: what to read next, from a model of the library (docs/recommend.md).
The inbox ranking lives with `inbox` (feedcmd) and tag suggestions with `tag --suggest` (edit); all three
render here."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from readlist import output
from readlist.commands.common import (
    DbOption,
    FormatOption,
    ItemRef,
    JsonOption,
    LimitOption,
    NoPagerOption,
    complete_tag,
    library,
    view,
)

if TYPE_CHECKING:
    from readlist.api import Ranking, TagFit

DEFAULT_COUNT = 10
InboxOnly = Annotated[bool, typer.Option("--inbox", help="Only inbox entries.")]
SuggestTag = Annotated[
    str,
    typer.Option("--tag", "-t", help="The tag to find more items for.", metavar="TAG", autocompletion=complete_tag),
]


def how_ranked(ranking: "Ranking") -> str:
    """One line on how a ranking was made, so a small library's fallback is said, not hidden."""
    if ranking.method == "learned":
        return f"ranked by a model of {ranking.examples} items"
    if ranking.method == "similar":
        return f"few examples ({ranking.examples}): ranked by similarity to them"
    return "nothing read or kept yet: newest first"


def print_ranking(ranking: "Ranking", empty: str, heading: str, chosen: output.View, how: str | None = None) -> None:
    """Items best first with their *why*; JSON keeps the item schema plus `score` and `why`."""
    items = ranking.items
    if not items and chosen.fmt == "table":
        output.say(empty)
        return
    rows: list[list[object]] = [[item["id"], item["title"], " · ".join(item["why"])] for item in items]
    title = f"{heading}: {len(items)} — {how or how_ranked(ranking)}" if chosen.fmt == "table" else None
    output.print_table(["id", "title", "why"], rows, title, chosen, data=list(items), flex="title")


def print_tag_fits(fits: Sequence["TagFit"], ref: str, chosen: output.View) -> None:
    if not fits and chosen.fmt == "table":
        output.say(f"no existing tag fits {ref} yet")
        return
    rows: list[list[object]] = [[fit.tag, f"{fit.score:.2f}", " · ".join(fit.why)] for fit in fits]
    data = [{"tag": fit.tag, "score": fit.score, "why": fit.why} for fit in fits]
    title = f"tags that fit {ref} (accept one: readlist tag {ref} +NAME)" if chosen.fmt == "table" else None
    output.print_table(["tag", "score", "why"], rows, title, chosen, data=data, flex="why")


def similar(
    ref: ItemRef,
    inbox: InboxOnly = False,
    limit: LimitOption = None,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """The items (library and inbox) most like one item, with the terms they share: `readlist similar 12`."""
    chosen = view(fmt, json_, no_pager)
    lib = library(db, reading=True)
    ranking = lib.similar(ref, inbox=inbox, limit=DEFAULT_COUNT if limit is None else limit)
    where = "in the inbox " if inbox else ""
    print_ranking(
        ranking, f"nothing {where}shares words with {ref} yet", f"like {ref}", chosen, "by the terms they share"
    )


def suggest(
    tag: SuggestTag,
    limit: LimitOption = None,
    fmt: FormatOption = None,
    json_: JsonOption = False,
    no_pager: NoPagerOption = False,
    db: DbOption = None,
) -> None:
    """Items not yet tagged TAG that look like its members, best first: `readlist suggest --tag 量化`
    (accept one with `readlist tag ID +TAG`)."""
    chosen = view(fmt, json_, no_pager)
    lib = library(db, reading=True)
    ranking = lib.suggest_tag(tag, limit=DEFAULT_COUNT if limit is None else limit)
    print_ranking(ranking, f"nothing else looks like {tag} yet", f"might be {tag}", chosen)


def register(root: typer.Typer) -> None:
    root.command()(similar)
    root.command()(suggest)
