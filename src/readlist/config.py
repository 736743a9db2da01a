"""Where the database and the user's configuration live."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "readlist"


def database_path(cli_value: str | None = None) -> Path:
    """`--db` beats `READLIST_DB`, which beats the platform's user data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("READLIST_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "readlist.db"


def config_dir() -> Path:
    """`READLIST_CONFIG_DIR` (used by tests) or the platform's user config dir."""
    env = os.environ.get("READLIST_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def arxiv_endpoint() -> str:
    return os.environ.get("READLIST_ARXIV_URL", "https://export.arxiv.org/api/query")


def _seconds(variable: str, default: float) -> float:
    """A duration from the environment; a value that is not a number falls back to the default."""
    try:
        return max(0.0, float(os.environ.get(variable, default)))
    except ValueError:
        return default


def arxiv_timeout() -> float:
    return _seconds("READLIST_ARXIV_TIMEOUT", 20.0)


def arxiv_min_interval() -> float:
    """Seconds between two arXiv API requests; arXiv asks for at least 3."""
    return _seconds("READLIST_ARXIV_INTERVAL", 3.0)


def feed_timeout() -> float:
    return _seconds("READLIST_FEED_TIMEOUT", 20.0)


def lock_timeout() -> float:
    """How long a write waits for another process's write transaction (an import can take a while)."""
    return _seconds("READLIST_LOCK_TIMEOUT", 120.0)
