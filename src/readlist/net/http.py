"""TEMPORARY stand-in for net's http.py (same API) so sources can be wired and tested; dropped on rebase."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

USER_AGENT = "readlist/0.1 (mailto:readlist@example.org)"


class HttpError(Exception):
    def __init__(
        self, reason: str, status: int | None = None, retry_after: float | None = None, transient: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after, self.transient = reason, status, retry_after, transient


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def get(
    url: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5 << 20,
    tries: int = 1,
    host_interval: float = 0,
    accept: str | None = None,
    data: bytes | None = None,
) -> Response:
    full = f"{url}?{urlencode(params)}" if params else url
    req = urllib.request.Request(full, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})})
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read(max_bytes + 1)
            return Response(r.geturl(), r.status, {k.lower(): v for k, v in r.headers.items()}, body[:max_bytes])
    except urllib.error.HTTPError as e:
        ra = e.headers.get("Retry-After") if e.headers else None
        raise HttpError(
            f"HTTP {e.code}", e.code, float(ra) if ra and ra.isdigit() else None, e.code in (429, 500, 502, 503, 504)
        ) from None
    except (OSError, urllib.error.URLError) as e:
        raise HttpError(f"cannot connect ({getattr(e, 'reason', e)})", None, None, True) from None
