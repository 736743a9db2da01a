"""Reproduces the damage seen in real notes: UTF-8 bytes read as cp1254, undefined bytes and soft hyphens lost."""

from __future__ import annotations

DROPPED = {0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD}


def garble(text: str, code_page: str = "cp1254") -> str:
    out = []
    for byte in text.encode("utf-8"):
        if byte < 0x80:
            out.append(chr(byte))
        elif byte not in DROPPED:
            try:
                out.append(bytes([byte]).decode(code_page))
            except UnicodeDecodeError:
                continue
    return "".join(out)
