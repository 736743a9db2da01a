"""The one HTTP client every source uses: User-Agent, total deadlines, size caps, redirects, per-host spacing
shared across processes, and retries with backoff that honour Retry-After up to a cap (docs/architecture.md)."""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from readlist.errors import NetworkError
from readlist.net import ratelimit, transport
from readlist.net.spacing import Spacer, default_spacer

REASONS = ("dns", "refused", "timeout", "status", "too_large", "truncated", "redirects", "tls", "other")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
PROJECT_URL = "https://github.com/readlist/readlist"


class Headers(dict[str, str]):
    """Response headers, looked up case-insensitively (stored lower-case)."""

    def __init__(self, pairs: list[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        super().__init__()
        items = pairs.items() if isinstance(pairs, Mapping) else pairs or []
        for key, value in items:
            key = key.lower()
            self[key] = f"{self[key]}, {value}" if key in self and key != "set-cookie" else value

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Response:
    url: str  # final URL, after redirects
    status: int
    headers: Mapping[str, str] = field(default_factory=Headers)
    body: bytes = b""

    def text(self) -> str:
        """The body decoded with its declared charset, else the one the document or its bytes give away."""
        from readlist.net.charset import decode

        return decode(self.body, self.headers.get("Content-Type", ""))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise HttpError(
                f"{_host(self.url)} answered with something that is not JSON", reason="other", url=self.url
            ) from None


class HttpError(NetworkError):
    """A request that did not give a usable answer. `transient`: worth trying again later (stays pending)."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        url: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        body: bytes = b"",
        hint: str = "",
        sent: bool = True,
    ) -> None:
        assert reason in REASONS, reason
        super().__init__(message, hint or "check the network; `readlist fetch` tries again later")
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.sent = sent  # False: held back before sending (the host's rate limit), nothing reached it

    @property
    def transient(self) -> bool:
        """Worth trying again later: the network, a busy or failing server — not a 404, 400 or a bad page."""
        if self.reason == "status":
            return self.status in RETRY_STATUSES or self.status == 408
        return self.reason in ("dns", "refused", "timeout", "truncated", "tls")

    @property
    def retry_now(self) -> bool:
        """Worth retrying within this request's tries: DNS failure and refused connections fail fast instead."""
        return self.transient and self.reason not in ("dns", "refused", "tls")


class Budget:
    """How long one source may keep a command waiting once it stops answering: the clock starts with the first
    try that fails (a stall, a cut-off body, a busy answer) and stops at the next answer; past `seconds`, every
    try is cut at that moment and nothing more is sent to the source in this command. One per source per
    command (shared by threads), so a stalled source costs at most about `seconds` (default 2 × its timeout)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.failing_since: float | None = None
        self._lock = threading.Lock()

    def deadline(self) -> float | None:
        """When this source's time runs out (monotonic), or None while it answers."""
        since = self.failing_since
        return None if since is None else since + self.seconds

    def spent(self) -> bool:
        deadline = self.deadline()
        return deadline is not None and time.monotonic() >= deadline - 0.01

    def failed(self, began: float) -> None:
        with self._lock:
            if self.failing_since is None or began < self.failing_since:
                self.failing_since = began

    def answered(self) -> None:
        with self._lock:
            self.failing_since = None


def user_agent() -> str:
    from readlist import config
    from readlist.version import __version__

    contact = f"; mailto:{config.contact_email()}" if config.contact_email() else ""
    return f"readlist/{__version__} (+{PROJECT_URL}{contact})"


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


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
    rate_key: str | None = None,
    backoff: float = 1.0,
    max_wait: float | None = None,
    spacer: Spacer | None = None,
    on_wait: Callable[[str], None] | None = None,
    data: bytes | None = None,
    budget: Budget | None = None,
    sink: Callable[[int], Callable[[bytes], object] | None] | None = None,
) -> Response:
    """GET url. `timeout` is the total for one try (connect, redirects, body); 2xx and 304 are answers,
    anything else raises HttpError. With tries > 1, timeouts, cut-off bodies, 429 and 5xx are retried after
    exponential backoff with jitter, or after Retry-After when the server gives one — unless it asks for more
    than `max_wait` seconds (config `http_max_wait`, default 60), which fails at once saying how long.
    `budget` bounds every try and wait together once the source stops answering (default: this call alone,
    2 × timeout); `sink(status)` may return a writer that takes a 2xx body as it arrives (a PDF to a file)."""
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(params)
    if urlsplit(url).scheme not in ("http", "https"):
        raise HttpError(f"not an http(s) URL: {url}", reason="other", url=url)
    if max_wait is None:
        from readlist import config

        max_wait = config.http_max_wait()
    sent = {"User-Agent": user_agent(), "Accept": accept or "*/*", **(headers or {})}
    blocked, announced = ratelimit.known(rate_key or _host(url))
    if blocked > 0:  # the server said "not before then": asking anyway would only prolong it
        raise HttpError(
            f"{_host(url)} asked for a pause of {_duration(blocked)} (its rate limit); nothing was sent",
            reason="status",
            url=url,
            status=429,
            retry_after=blocked,
            hint="try again later: readlist fetch",
            sent=False,
        )
    host_interval = max(host_interval, announced)
    budget = budget or Budget(2 * timeout)
    for attempt in range(max(1, tries)):
        if budget.spent():
            raise _out_of_time(url, budget)
        began = time.monotonic()
        end = began + timeout
        if (limit := budget.deadline()) is not None:
            end = min(end, limit)
        try:
            response = _get_once(url, sent, end, max_bytes, host_interval, rate_key, spacer, data, sink)
        except HttpError as exc:
            if exc.retry_now or exc.reason == "timeout":
                budget.failed(began)
            if attempt == tries - 1 or not exc.retry_now:
                raise
            delay = _delay(exc, attempt, backoff, max_wait)
            if (limit := budget.deadline()) is not None and time.monotonic() + delay >= limit:
                raise  # the wait would outlast what this source may cost the command
            if on_wait:
                on_wait(f"{_host(url)}: {exc.message}; trying again in {delay:.0f} s")
            time.sleep(delay)
        else:
            budget.answered()
            return response
    raise AssertionError("unreachable")


def _out_of_time(url: str, budget: Budget) -> HttpError:
    return HttpError(
        f"{_host(url)} has not answered for {budget.seconds:.0f} s; not asked again in this command",
        reason="timeout",
        url=url,
        hint="try again later: readlist fetch",
        sent=False,
    )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _delay(exc: HttpError, attempt: int, backoff: float, max_wait: float) -> float:
    if exc.retry_after is not None:
        if exc.retry_after > max_wait:
            raise HttpError(
                f"{exc.message}; the server asks to wait {_duration(exc.retry_after)} "
                f"(more than the {max_wait:.0f} s we wait)",
                reason=exc.reason,
                url=exc.url,
                status=exc.status,
                retry_after=exc.retry_after,
                hint="try again later: readlist fetch",
            ) from None
        return exc.retry_after + random.uniform(0, 0.1 * exc.retry_after + 0.05)
    return float(min(max_wait, backoff * 2**attempt) * random.uniform(1.0, 1.33))


def _get_once(
    url: str,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int,
    host_interval: float,
    rate_key: str | None,
    spacer: Spacer | None,
    data: bytes | None = None,
    sink: Callable[[int], Callable[[bytes], object] | None] | None = None,
) -> Response:
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        _wait_turn(url, host_interval, rate_key, spacer, deadline)
        try:
            raw = transport.exchange(url, headers, deadline, max_bytes, data, sink)
        except transport.TransportError as exc:
            raise HttpError(exc.detail, reason=exc.reason, url=url) from None
        answer = Headers(raw.headers)
        location = answer.get("Location")
        if raw.status in (301, 302, 303, 307, 308) and location:
            target = urljoin(url, location)
            if target in seen or urlsplit(target).scheme not in ("http", "https"):
                raise HttpError(f"{_host(url)} redirects in a loop", reason="redirects", url=url)
            if _host(target) != _host(url):  # credentials are for the host they were meant for
                headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
            seen.add(target)
            url = target
            if raw.status in (301, 302, 303):  # as browsers do: the redirected request is a GET
                data = None
            continue
        retry_after = parse_retry_after(answer.get("Retry-After"))
        pause = ratelimit.learn(rate_key or _host(url), raw.status, answer, retry_after)
        if 200 <= raw.status < 300 or raw.status == 304:
            return Response(url, raw.status, answer, raw.body)
        raise HttpError(
            f"{_host(url)} answered HTTP {raw.status}",
            reason="status",
            url=url,
            status=raw.status,
            retry_after=retry_after if retry_after is not None else pause,
            body=raw.body,
        )
    raise HttpError(f"{_host(url)} redirects more than {MAX_REDIRECTS} times", reason="redirects", url=url)


def _wait_turn(url: str, interval: float, rate_key: str | None, spacer: Spacer | None, deadline: float) -> None:
    """Per-host politeness: book the next free moment for this host, shared by every readlist process."""
    if interval <= 0:
        return
    wait = (spacer or default_spacer())(rate_key or _host(url), interval)
    if time.monotonic() + wait >= deadline:
        raise HttpError(f"our turn at {_host(url)} comes in {wait:.0f} s, past the time limit", reason="timeout")
    if wait > 0:
        time.sleep(wait)


def post(url: str, *, data: bytes, **options: Any) -> Response:
    """POST `data` (Semantic Scholar's batch lookup); same options, errors and limits as get()."""
    return get(url, data=data, **options)
