"""The `dulun` commands, one module per stage or concern; `register_all` puts them on the app."""
from __future__ import annotations

import typer

from dulun.commands import basics, crawl, followup, nlp, ops, reports, web


def register_all(app: typer.Typer) -> None:
    for module in (basics, crawl, nlp, followup, reports, ops, web):
        module.register(app)
