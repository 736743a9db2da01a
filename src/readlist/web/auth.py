"""Who may write: the write token signs a member in; a signed session cookie names them; each form carries a
CSRF token bound to that session. Without the token no write is possible, whatever a request says."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

COOKIE = "readlist_session"
MIN_TOKEN = 16  # shorter tokens are guessable; `serve` refuses them
MAX_NAME = 64


@dataclass(frozen=True)
class Session:
    member: str
    nonce: str


class Keys:
    """The secrets derived from the write token (sessions survive a restart and die when the token changes)."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self._key = hmac.new(token.encode(), b"readlist-session", hashlib.sha256).digest() if token else b""

    @property
    def writable(self) -> bool:
        return self.token is not None

    def token_matches(self, given: str) -> bool:
        if self.token is None:
            return False
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def cookie_for(self, member: str) -> str:
        name = base64.urlsafe_b64encode(member.encode()).decode()
        body = f"{name}.{secrets.token_hex(16)}"
        return f"{body}.{self._sign('session:' + body)}"

    def session(self, cookie: str | None) -> Session | None:
        """The member a cookie names, if this server signed it."""
        if not self.writable or not cookie or cookie.count(".") != 2:
            return None
        name, nonce, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(f"session:{name}.{nonce}")):
            return None
        try:
            member = base64.urlsafe_b64decode(name.encode()).decode()
        except ValueError:
            return None
        return Session(member, nonce)

    def csrf(self, session: Session) -> str:
        return self._sign(f"csrf:{session.nonce}")

    def csrf_ok(self, session: Session, given: str) -> bool:
        return hmac.compare_digest(self.csrf(session).encode(), given.encode())


def member_name(text: str) -> str | None:
    """A name fit to sign in with: printable, not blank, not too long (None otherwise)."""
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        return None
    return name
