"""`readlist serve`: the library in a browser for the team (docs/web.md); read-only unless given a write token."""

import contextlib
import ipaddress
import socket
from typing import Annotated

import typer

from readlist import output
from readlist.commands.common import DbOption, library
from readlist.errors import InvalidInputError, ReadlistError

ANY_ADDRESS = ("0.0.0.0", "::")
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str) -> None:
    """Loopback, or every interface said outright: a LAN address or a name would open the library by accident."""
    if is_loopback(host) or host in ANY_ADDRESS:
        return
    raise InvalidInputError(
        f"refusing to listen on {host}: only this machine (127.0.0.1) or every interface (0.0.0.0) said outright",
        "to let others in, use --host 0.0.0.0 (and read docs/web.md on putting it behind a reverse proxy)",
    )


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; other machines need --host 0.0.0.0 said outright.", metavar="ADDRESS"
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port (0: any free one).", min=0, max=65535, metavar="PORT")
    ] = 8000,
    write_token: Annotated[
        str | None,
        typer.Option(
            "--write-token",
            help="Let members who sign in with this token (16+ characters) write; default: read-only.",
            envvar="READLIST_SERVE_TOKEN",
            show_envvar=True,
            show_default=False,
            metavar="TOKEN",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Also answer requests for this host name (a reverse proxy's public name); repeatable.",
            metavar="NAME",
        ),
    ] = None,
    rate: Annotated[
        float,
        typer.Option("--rate", help="Page requests per second per client address (0: no bound).", min=0, metavar="N"),
    ] = 50,
    db: DbOption = None,
) -> None:
    """Serve the library as web pages, an Atom feed and JSON: `readlist serve`, then open the URL it prints."""
    from readlist.web.auth import MIN_TOKEN

    check_host(host)
    if write_token is not None and len(write_token) < MIN_TOKEN:
        raise InvalidInputError(
            f"the write token is too short ({len(write_token)} characters; at least {MIN_TOKEN})",
            'make one: python3 -c "import secrets; print(secrets.token_urlsafe(24))"',
        )
    lib = library(db, reading=True)
    lib.stats()  # a library that cannot be opened fails here, before the server starts
    lib.close()
    # The web stack (Starlette, Jinja2, uvicorn) is imported here only: no other command pays for it.
    try:
        import uvicorn

        from readlist.web.app import LOOPBACK_HOSTS, create_app
    except ModuleNotFoundError as exc:
        raise ReadlistError(
            f"readlist serve needs the web extra ({exc.name} is not installed)", "pip install 'readlist[web]'"
        ) from None
    sock = _bind(host, port)

    app = create_app(
        lib.path,
        write_token=write_token,
        reads_per_second=rate,
        allowed_hosts=[*LOOPBACK_HOSTS, *(allow_host or [])] if is_loopback(host) else None,
    )
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    mode = "members who sign in with the token can write" if write_token else "read-only"
    output.say(f"readlist serve: http://{shown}:{bound}/ ({mode}; Ctrl-C stops)")
    if host in ANY_ADDRESS:
        output.say("listening on every interface: anyone who can reach this machine can read the library", "yellow")
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="on")
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn finishes the requests under way, re-raises it
        server.run(sockets=[sock])
    output.say("stopped")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise InvalidInputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", f"try another port: --port {port + 1}"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    app.command()(serve)
