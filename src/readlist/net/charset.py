"""Bytes from the web → text: the declared charset, else the page's own <meta>, else detection (GBK pages exist)."""

from __future__ import annotations

import codecs
import contextlib
import email.message
from html.parser import HTMLParser

# Browsers read these labels as their supersets (WHATWG Encoding); pages labelled gb2312 use GBK characters.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252", "ascii": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
META_WINDOW = 16 * 1024


def _known(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def content_type_charset(content_type: str) -> str | None:
    if not content_type:
        return None
    message = email.message.Message()
    message["Content-Type"] = content_type
    return _known(message.get_param("charset"))  # type: ignore[arg-type]


class _MetaCharset(HTMLParser):
    """Finds <meta charset=…> or <meta http-equiv=Content-Type content="…; charset=…"> near the top."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charset: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta" or self.charset:
            return
        values = {k.lower(): v or "" for k, v in attrs}
        if values.get("charset"):
            self.charset = _known(values["charset"])
        elif values.get("http-equiv", "").lower() == "content-type":
            self.charset = content_type_charset(values.get("content", ""))


def meta_charset(body: bytes) -> str | None:
    parser = _MetaCharset()
    with contextlib.suppress(AssertionError):  # html.parser gives up on some broken markup
        parser.feed(body[:META_WINDOW].decode("ascii", "replace"))
    return parser.charset


def decode(body: bytes, content_type: str = "") -> str:
    """Declared charset (if it decodes) > BOM > HTML <meta> > UTF-8 > detection; never raises."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, "replace")
    candidates: list[str | None] = [content_type_charset(content_type)]
    if b"<" in body[:1024]:
        candidates.append(meta_charset(body))
    candidates.append("utf-8")
    for label in candidates:
        if label:
            try:
                return body.decode(label)
            except (UnicodeDecodeError, LookupError):
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    detected = _known(best.encoding) if best else None
    return body.decode(detected or "utf-8", "replace")
