"""The `dulun` command line: the app, its global options and the one way errors end a command.

The commands themselves live in dulun/commands/, one module per stage or concern."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from core.errors import ProcessFailed, UserError
from core.processes import Stopped, stop_signals_raise
from dulun.appstate import AppState
from dulun.commands import register_all
from dulun.filemodes import use_private_umask

HELP = """dulun: which public issues are rising where, every morning.

Collects public press items and public posts, tags issue topics and provinces, finds weekly
hot spots (topic x province against each place's own history), writes a daily digest, and
alerts the board on flagged topics. It counts issues, never people.

Start here:

  dulun demo                      # the whole pipeline offline, on a bundled fixture site

  dulun init && dulun run         # one real pass: crawl, enrich, hot spots, digest, alerts

  dulun status                    # what is stored, last runs, failures by cause

Settings come from dulun.toml (or --config / DULUN_CONFIG) with DULUN_* overrides,
for example DULUN_DB_PATH=/srv/dulun/dulun.duckdb.
"""

app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
console = Console()


@app.callback()
def root(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Settings file (TOML). Default: DULUN_CONFIG or ./dulun.toml."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step."),
) -> None:
    setup_logging(verbose)
    ctx.obj = AppState(config, verbose)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
        force=True,
    )
    # Scrapy and Twisted are chatty; their own warnings still get through.
    for noisy in ("scrapy", "twisted", "filelock", "matplotlib", "urllib3", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


register_all(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes print one sentence and exit 2; usage errors as click prints them.

    A stop signal (Ctrl-C, SIGTERM, SIGHUP) unwinds the command, which stops its children and
    marks its runs, then prints one sentence and exits 128 + the signal number (130 for Ctrl-C).
    A child process that died is one sentence and exit 1."""
    use_private_umask()
    try:
        with stop_signals_raise():
            # Not standalone: typer returns a command's typer.Exit code (and its own 130) instead of exiting.
            code = app(args=argv, standalone_mode=False)
    except UserError as exc:
        _say(str(exc))
        sys.exit(2)
    except ProcessFailed as exc:
        _say(str(exc))
        sys.exit(1)
    except Stopped as exc:
        _say(str(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:
        _say("interrupted.")
        sys.exit(130)
    except Exception as exc:
        # Usage errors (bad option, missing argument) come from typer's click layer.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    if isinstance(code, int) and code:
        sys.exit(code)


def _say(sentence: str) -> None:
    Console(stderr=True).print(f"[bold red]dulun:[/] {escape(sentence)}", highlight=False, soft_wrap=True)
