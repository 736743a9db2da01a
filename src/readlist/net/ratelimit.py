"""What servers say about their own limits, remembered in the state dir so every readlist process obeys it.

- "No more until T": GitHub's `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (epoch seconds), or a 429/503
  with `Retry-After`. Until T nothing is sent to that host: `fetch` of 300 repos asks once, not 300 times.
- "At most N per interval": Crossref's `X-Rate-Limit-Limit` / `X-Rate-Limit-Interval` (`50`, `1s`). Requests to
  that host are then spaced `interval / N` apart through the shared per-host spacing.

Keyed by host, or by a URL when a limit belongs to one address (a feed). One small JSON file per key
(`<host>.limits`), written only when a server states a limit; read before each
request (a stat and a small read, microseconds), so a limit learned by one process holds for the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path


def _file(host: str) -> Path:
    from readlist import config

    name = re.sub(r"[^A-Za-z0-9.-]", "_", host)
    if len(name) > 80 or name != host:  # a URL (a feed's own limit): readable, short, and never two in one file
        name = name[:60] + "-" + hashlib.sha256(host.encode()).hexdigest()[:16]
    return config.state_dir() / "hosts" / (name + ".limits")


def _read(host: str) -> dict[str, float]:
    try:
        data = json.loads(_file(host).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, int | float)}


def _write(host: str, **values: float) -> None:
    path = _file(host)
    with contextlib.suppress(OSError):  # a read-only state dir costs politeness across processes, not the request
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**_read(host), **values}
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")  # never half-read
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)


def _seconds(text: str | None) -> float | None:
    """`1s`, `60`, `2m`, `1h` → seconds (Crossref writes `1s`)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not match:
        return None
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def learn(host: str, status: int, headers: Mapping[str, str], retry_after: float | None) -> float | None:
    """Remember what this answer says about the host's limits; returns how long it asks us to stay away."""
    pause = retry_after if status in (429, 503) else None
    if headers.get("X-RateLimit-Remaining", "").strip() == "0":
        reset = _seconds(headers.get("X-RateLimit-Reset"))
        if reset is not None:
            pause = max(pause or 0.0, reset - time.time())
    limit, interval = _seconds(headers.get("X-Rate-Limit-Limit")), _seconds(headers.get("X-Rate-Limit-Interval"))
    values: dict[str, float] = {}
    if pause is not None and pause > 0:
        values["blocked_until"] = time.time() + pause
    if limit and interval and abs(interval / limit - _read(host).get("interval", -1.0)) > 1e-9:
        values["interval"] = interval / limit
    if values:
        _write(host, **values)
    return pause if pause is not None and pause > 0 else None


def known(host: str) -> tuple[float, float]:
    """(seconds until the host takes requests again, the spacing it announced) — (0, 0) when it said nothing."""
    limits = _read(host)
    return max(0.0, limits.get("blocked_until", 0.0) - time.time()), limits.get("interval", 0.0)
