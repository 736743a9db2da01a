"""What every response carries and every request is held to: security headers, a body size cap, a rate bound."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024  # a note or a sign-in form; nothing the app takes is bigger
# No script at all, styles and images from this server only, no framing, forms post only here.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Bucket:
    """A token bucket per client address: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        tokens, then = self.tokens.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if len(self.tokens) > 10_000:  # memory stays flat whatever the number of clients
            self.tokens.clear()
        if tokens < 1:
            self.tokens[client] = (tokens, now)
            return False
        self.tokens[client] = (tokens - 1, now)
        return True


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + HEADERS + (extra or [])})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: the headers on every answer, 413 above MAX_BODY, 429 past the rate bound (reads and
    writes have their own buckets: a write costs more and guesses at the token must stay slow)."""

    def __init__(self, app: ASGIApp, *, reads_per_second: float, writes_per_second: float) -> None:
        self.app = app
        self.reads = Bucket(reads_per_second, max(1, int(reads_per_second * 10)))
        self.writes = Bucket(writes_per_second, 20)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        bucket = self.reads if scope["method"] in ("GET", "HEAD") else self.writes
        if not bucket.allow(client):
            await _plain(send, 429, "too many requests: slow down\n", [(b"retry-after", b"1")])
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            await _plain(send, 413, "request too large\n")
            return
        seen = 0

        async def bounded_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise TooLarge
            return message

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        try:
            await self.app(scope, bounded_receive, with_headers)
        except TooLarge:
            if not started:
                await _plain(send, 413, "request too large\n")


class TooLarge(Exception):
    """A chunked body grew past MAX_BODY."""
