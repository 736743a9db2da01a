"""A team library on PostgreSQL with docs/team.md's grants, three members as database roles of their own: what
member bob can and cannot do to member alice's rows and to what the team shares (issue 26). One summary line.
Needs the PostgreSQL of READLIST_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.hostile import run

SERVER = os.environ.get("READLIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "team.md"


def _url(database: str, role: str | None = None) -> str:
    parts = urlsplit(SERVER)
    netloc = parts.netloc if role is None else f"{role}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, ""))


def _setup(server: object, database: str, names: dict[str, str], group: str) -> None:
    """docs/team.md's members' SQL block, as the admin runs it, for this run's roles."""
    import psycopg

    from readlist.location import PostgresUrl
    from readlist.store import db

    db.ensure_schema(PostgresUrl(_url(database)))
    block = DOCS.read_text(encoding="utf-8").split("```sql\n", 1)[1].split("```", 1)[0]
    block = block.replace("readlist_members", group).replace("DATABASE papers", f'DATABASE "{database}"')
    with psycopg.connect(PostgresUrl(_url(database)).libpq, autocommit=True) as conn:
        for statement in block.split(";"):
            text = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--")).strip()
            if text.startswith("CREATE ROLE") and "alice" in text:
                for name in names.values():
                    conn.execute(text.replace("alice", name))
            elif text:
                conn.execute(text)


def roles() -> None:
    try:
        import psycopg

        server = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except Exception as exc:  # no driver or no server: nothing to measure here
        print(f"roles: skipped (no PostgreSQL at the test URL: {' '.join(str(exc).split())[:80]})")
        return
    suffix = str(os.getpid())
    database, group = f"readlist_hostile_{suffix}", f"rl_hmembers_{suffix}"
    names = {who: f"rl_h{who}_{suffix}" for who in ("alice", "bob")}
    server.execute(f'CREATE DATABASE "{database}"')
    try:
        _setup(server, database, names, group)

        def as_(who: str, *args: str, user: str | None = None) -> tuple[int, str, str]:
            os.environ["READLIST_USER"] = names[user or who]
            try:
                return run(("--db", _url(database, names[who]), *args))
            finally:
                del os.environ["READLIST_USER"]

        for setup in (("add", "2408.11743", "--no-fetch"), ("done", "1"), ("note", "1", "mine"), ("tag", "1", "+q")):
            assert as_("alice", *setup)[0] == 0
        with psycopg.connect(_url(database), autocommit=True) as owner:
            owner.execute("UPDATE item SET metadata_status = 'fetched' WHERE id = 1")
        attempts: dict[str, tuple[str, ...]] = {
            "change her status": ("start", "1"),
            "remove her note": ("note", "1", "--rm", "1"),
            "remove the item": ("rm", "1", "--yes"),
            "edit the item's title": ("edit", "1", "--title", "bob's"),
            "rename a shared tag": ("tags", "--rename", "q", "quant"),
        }
        refused = []
        for what, args in attempts.items():
            user = "alice" if what == "change her status" else None
            code, _, err = as_("bob", *args, user=user)
            lines = err.splitlines()
            if code == 1 and len(lines) == 2 and lines[1].startswith("hint: "):
                refused.append(what)
        own: list[tuple[str, ...]] = [("start", "1"), ("note", "1", "his"), ("tag", "1", "+kernels")]
        own += [("add", "2401.00002", "--no-fetch"), ("edit", "2", "--title", "his own")]
        ok = sum(as_("bob", *args)[0] == 0 for args in own)
        missed = [w for w in attempts if w not in refused]
        print(
            f"roles: bob's attempts on alice's rows and shared metadata refused in one line {len(refused)}/"
            f"{len(attempts)}{' (not: ' + ', '.join(missed) + ')' if missed else ''}; his own writes "
            f"{ok}/{len(own)}",
            flush=True,
        )
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for name in names.values():
            server.execute(f'DROP ROLE IF EXISTS "{name}"')
        server.execute(f'DROP ROLE IF EXISTS "{group}"')
        server.close()
