"""`open` and `pdf`: look at an item in the browser, keep its PDF."""

from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, ItemRef, library

RefArgument = ItemRef


def open_(
    ref: RefArgument,
    pdf: Annotated[bool, typer.Option("--pdf", help="The attached PDF, else the PDF link.")] = False,
    code: Annotated[bool, typer.Option("--code", help="The code repository.")] = False,
    db: DbOption = None,
) -> None:
    """Open an item in the browser ($BROWSER is respected): `readlist open 12 --pdf`.

    With no browser or display, the address is printed instead."""
    from readlist.term.browser import launch

    where = library(db, reading=True).address(ref, pdf=pdf, code=code)
    if launch(where):
        output.err().print(output.text(f"opened {where}"))
    else:
        print(where)


def pdf(ref: RefArgument, db: DbOption = None) -> None:
    """Download an arXiv paper's PDF into the data dir and attach it: `readlist pdf 12`."""
    result = library(db).pdf(ref)
    verb = "downloaded" if result.downloaded else "already have"
    output.say(f"#{result.item_id}: {verb} {result.path}" + ("" if result.attached else " (already attached)"))


def register(app: typer.Typer) -> None:
    app.command("open")(open_)
    app.command()(pdf)
