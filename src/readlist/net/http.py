"""Stand-in for the shared HTTP module (net/http.py, owned by `net`): same API — get(), HttpError, Response —
plus post() for Semantic Scholar's batch endpoint. Replaced by net's module when it lands; keep post()."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any
from urllib.parse import urlencode, urlsplit

from readlist.errors import NetworkError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "readlist/0.1 (+https://github.com/readlist/readlist)"


class HttpError(NetworkError):
    """A request that did not give a usable answer. `transient`: worth trying again later (stays pending)."""

    def __init__(
        self, message: str, *, reason: str, url: str = "", status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, "check the network; `readlist fetch` tries again later")
        self.reason, self.url, self.status, self.retry_after = reason, url, status, retry_after

    @property
    def transient(self) -> bool:
        if self.reason == "status":
            return self.status in RETRY_STATUSES or self.status == 408
        return self.reason in ("dns", "refused", "timeout", "truncated", "tls")


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def _request(
    url: str,
    data: bytes | None,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    timeout: float,
    max_bytes: int,
    accept: str | None,
) -> Response:
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(params)
    sent = {"User-Agent": USER_AGENT, "Accept": accept or "*/*", **(headers or {})}
    request = urllib.request.Request(url, data=data, headers=sent, method="POST" if data is not None else "GET")
    host = urlsplit(url).hostname or url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise HttpError(f"{host} sent more than {max_bytes} bytes", reason="too_large", url=url)
            headers_out = {k.lower(): v for k, v in answer.headers.items()}
            return Response(answer.geturl(), answer.status, headers_out, body)
    except urllib.error.HTTPError as exc:
        wait = exc.headers.get("Retry-After") if exc.headers else None
        raise HttpError(
            f"{host} answered HTTP {exc.code}",
            reason="status",
            url=url,
            status=exc.code,
            retry_after=float(wait) if wait and wait.isdigit() else None,
        ) from None
    except (OSError, HTTPException) as exc:
        reason = "timeout" if isinstance(exc, TimeoutError) else "refused"
        raise HttpError(f"cannot reach {host} ({getattr(exc, 'reason', exc)})", reason=reason, url=url) from None


def get(
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    tries: int = 1,
    host_interval: float = 0.0,
    accept: str | None = None,
) -> Response:
    return _request(url, None, params, headers, timeout, max_bytes, accept)


def post(
    url: str,
    *,
    data: bytes,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    tries: int = 1,
    host_interval: float = 0.0,
    accept: str | None = None,
) -> Response:
    """POST `data` (Semantic Scholar's batch lookup); same errors and limits as get()."""
    return _request(url, data, params, headers, timeout, max_bytes, accept)
