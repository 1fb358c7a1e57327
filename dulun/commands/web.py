"""`dulun serve` (the analyst workbench) and `dulun user add | remove` (its users file)."""
from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from core.errors import UserError

console = Console(stderr=True)

SERVE_HELP = """The analyst workbench: a local web app to search, drill into hot spots, follow stories,
check sources and alerts, and correct topics and provinces (the next `dulun train` learns them).

Pages answer while the pipeline works (crawls and enrichment write in short batches).
It listens on 127.0.0.1 only, unless authentication is configured: users with
`dulun user add NAME`, or a reverse proxy that authenticates (web.proxy_user_header and
web.trusted_proxies). Other hosts get Secure cookies: put TLS in front of it.

Example: dulun serve                 (then open http://127.0.0.1:8765/)

Example (the demo database, its clock pinned): dulun serve --now 2026-11-23T08:00:00+07:00
"""
USER_HELP = """Add or remove a workbench user (scrypt-hashed password in the users file).

Example: dulun user add lan            (asks for the password twice)

Example: printf 'a long passphrase\\n' | dulun user add lan --password-stdin

Example: dulun user remove lan
"""

user_app = typer.Typer(help=USER_HELP, no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("serve", help=SERVE_HELP)(serve)
    app.add_typer(user_app, name="user")


def _settings(ctx: typer.Context):
    from dulun.appstate import state

    return state(ctx).settings


def parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"Bad --now {text!r}: use an ISO time with a zone, for example 2026-11-23T08:00:00+07:00.") from None
    if value.tzinfo is None:
        raise UserError(f"Bad --now {text!r}: add the zone, for example 2026-11-23T08:00:00+07:00.")
    return value


def serve(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default web.host: 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port (default web.port: 8765)."),
    now: Optional[str] = typer.Option(None, "--now", help="Pin the clock (ISO time with zone), as for replays and the demo."),
    no_index: bool = typer.Option(False, "--no-index", help="Do not bring the search index up to date at start."),
) -> None:
    import uvicorn

    from dulun.web.server import build

    settings = _settings(ctx)
    host = host or settings.web.host
    port = port or settings.web.port
    pinned = parse_now(now)
    app, stop = build(settings, host, pinned_now=pinned, update_index=not no_index)
    console.print(f"dulun workbench on http://{'[' + host + ']' if ':' in host else host}:{port}/ "
                  f"(database {settings.database}); Ctrl+C stops it.", highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
    finally:
        stop.set()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (10+ characters): ")
    if first != getpass.getpass("Again: "):
        raise UserError("The two passwords differ; nothing was changed.")
    return first


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name: letters, digits, . _ @ -"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from one line of stdin."),
) -> None:
    """Add a user (or set a new password for one)."""
    from dulun.web.security import add_user

    path: Path = _settings(ctx).web_users_file
    new = add_user(path, name, _read_password(password_stdin))
    console.print(f"{'Added' if new else 'Updated'} user {name} in {path}.", highlight=False)


@user_app.command("remove")
def user_remove(ctx: typer.Context, name: str = typer.Argument(..., help="User name")) -> None:
    """Remove a user; their open sessions end at their next request."""
    from dulun.web.security import remove_user

    path: Path = _settings(ctx).web_users_file
    if not remove_user(path, name):
        raise UserError(f"No user {name} in {path}.")
    console.print(f"Removed user {name} from {path}.", highlight=False)
