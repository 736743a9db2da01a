"""Markdown chunks parsed in two processes, so one big file uses both cores.

markdown-it is two thirds of reading a notes file and holds the GIL. A file has one reader (its chunks carry
heading state from one to the next), but parsing a chunk into blocks needs none of that state: a forked
helper parses chunks the reader hands it, the reader parses the others itself and walks the blocks in file
order. The blocks are the same whoever parsed them (see readlist.forked).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from readlist import forked
from readlist.importer.chunks import Chunk
from readlist.importer.markdown import Block, parse

Helper = forked.Helper[Chunk, list[Block]]  # the parsing helper's type


def _parse(chunk: Chunk) -> list[Block]:
    return parse(chunk.text, chunk.first_line)


def parser() -> Helper | None:
    """A process that parses chunks, where processes can be forked."""
    return forked.start(_parse)


def parse_chunks(chunks: Iterable[Chunk], helper: Helper | None) -> Iterator[tuple[Chunk, list[Block]]]:
    """Each chunk with its blocks, in order, parsed as if alone (no heading seen before it)."""
    return forked.in_order(chunks, _parse, helper)
