"""Markdown notes: bare links taken whole, lists of links under a heading, titles and notes from the text near a link.

The notes are small real files under tests/data/notes, imported through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Run

NOTES = Path(__file__).parent / "data" / "notes"


def _import(run: Run, name: str) -> list[dict[str, Any]]:
    result = run("import", str(NOTES / name))
    assert result.code == 0, result
    listed = run("list", "--format", "jsonl")
    assert listed.code == 0 and not listed.err, listed
    return [json.loads(line) for line in listed.out.splitlines()]


def test_bare_urls_with_underscores_are_taken_whole(run: Run) -> None:
    items = _import(run, "underscore-urls.md")
    assert sorted(i["url"] for i in items) == [
        "https://arxiv.org/abs/2410.02367",
        "https://en.wikipedia.org/wiki/Attention_(machine_learning)",
        "https://example.org/_auto_-link",
        "https://example.org/_draft_-notes/post",
        "https://example.org/target_url_",
        "https://example.org/wrapped_post",
        "https://example.org/x/__init__-py",
        "https://github.com/IST-DASLab/marlin",
        "https://github.com/vllm-project/vllm",
        "https://mp.weixin.qq.com/s/_5P7SYkZEZ8_-m5AUS9U-w",
        "https://mp.weixin.qq.com/s/_abc_-def",
    ]
