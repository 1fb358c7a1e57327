"""What every command needs: the settings file path, and the settings loaded lazily so `--help` never fails."""
from __future__ import annotations

from pathlib import Path

import typer

from core.settings import Settings, load_settings
from dulun.filemodes import warn_if_shared


class AppState:
    def __init__(self, config: Path | None, verbose: bool):
        self.config = config
        self.verbose = verbose
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
            warn_if_shared(self._settings.data_dir)
        return self._settings


def state(ctx: typer.Context) -> AppState:
    return ctx.find_root().obj
