"""The former home of the PostgreSQL code, now readlist.store.backends.postgres: this name is that very module
(scripts and tests import `readlist.store.pg`; setting `pg.MIN_SERVER_VERSION` must reach the code using it)."""

from __future__ import annotations

import sys

from readlist.store.backends import postgres
from readlist.store.backends.postgres import *  # noqa: F403  (the names, for readers and type checkers)

sys.modules[__name__] = postgres
