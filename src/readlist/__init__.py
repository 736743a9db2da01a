"""readlist: a reading-list manager for ML-systems papers and articles; `Library` is its Python API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from readlist.version import __version__

__all__ = ["Library", "__version__"]

if TYPE_CHECKING:
    from readlist.api import Library


def __getattr__(name: str) -> Any:
    """`from readlist import Library` imports the library package only then: `readlist todo` never pays for it."""
    if name == "Library":
        from readlist.api import Library

        return Library
    raise AttributeError(f"module 'readlist' has no attribute {name!r}")
