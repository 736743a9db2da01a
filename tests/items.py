"""Reading items back through the CLI in tests: one place for the `show --json` / `list --json` dance."""

from __future__ import annotations

from typing import Any

from tests.conftest import Run


def shown(run: Run, ref: str) -> dict[str, Any]:
    """`readlist show REF --json`, asserted to succeed."""
    result = run("show", ref, "--json")
    assert result.code == 0, result
    item = result.json()
    assert isinstance(item, dict)
    return item


def listed(run: Run, *filters: str) -> list[dict[str, Any]]:
    """`readlist list --json` with optional filters, asserted to succeed."""
    result = run("list", "--json", *filters)
    assert result.code == 0, result
    items = result.json()
    assert isinstance(items, list)
    return items
