"""The search glossary: the bilingual synonym list of `readlist.text.glossary`, named where search uses it."""

from __future__ import annotations

from readlist.text.glossary import (
    SHIPPED,
    USER_FILE_NAME,
    compact,
    groups,
    max_words,
    normalise,
    read_groups,
    synonyms,
    user_file,
)

__all__ = [
    "SHIPPED",
    "USER_FILE_NAME",
    "compact",
    "groups",
    "max_words",
    "normalise",
    "read_groups",
    "synonyms",
    "user_file",
]
