"""Workbench fixtures: the demo-shaped timeline database and the workbench served on 127.0.0.1."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # importlib mode: make web_support importable

from web_support import Client, build_workbench_db, serve  # noqa: E402
from core.settings import Settings  # noqa: E402


@pytest.fixture(scope="module")
def workbench_settings(tmp_path_factory) -> Settings:
    return build_workbench_db(tmp_path_factory.mktemp("web") / "data")


@pytest.fixture(scope="module")
def live(workbench_settings):
    with serve(workbench_settings) as server:
        yield server


@pytest.fixture
def client(live) -> Client:
    return Client(live.base)


@pytest.fixture
def open_page(browser, watched_page):
    """open_page(url) -> (page, response, problems): the page loaded and settled in Chromium."""
    def open_url(url: str):
        page, problems = watched_page(browser)
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        return page, response, problems

    return open_url
