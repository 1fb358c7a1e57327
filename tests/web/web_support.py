"""Helpers for the workbench tests: the pipeline tests' demo-shaped timeline in a real DuckDB file
(with its hot spots, an alert and crawl health), the workbench under a real uvicorn on
127.0.0.1, and a plain HTTP client."""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import importlib.util
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import Settings
from core.timeutil import VN

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)
_TIMELINE = Path(__file__).resolve().parents[1] / "pipeline" / "conftest.py"


def module_at(path: Path, name: str):
    """A test module of another folder (its timeline builders), loaded by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timeline_module():
    return module_at(_TIMELINE, "pipeline_timeline_fixture")


def build_workbench_db(data_dir: Path) -> Settings:
    """The timeline (labor rise in Hải Phòng in 2026-W47, a `<script>` headline), every week's
    hot spots from W45, the alert they raise, and two sources' crawl health."""
    from pipeline.alerts import run_alerts
    from pipeline.hotspots import run_hotspots
    from store import open_writer

    timeline = _timeline_module()
    settings = Settings(data_dir=data_dir)
    with open_writer(settings.database) as store:
        timeline.build_timeline(store.con)
        timeline.record_crawl_health(store.con)
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        run_hotspots(settings, week=week, now=NOW)
    run_alerts(settings, now=NOW, environ={})
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The ASGI app under a real uvicorn in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, app, stop_background: threading.Event):
        import uvicorn

        self.app = app
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._stop_background = stop_background

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def reading(self):
        """Read the database from the test while this in-process server runs: DuckDB refuses a
        second configuration of the same file in one process, so pass the server's gate."""
        return self.app.state.workbench.gate.reading()

    def writing(self):
        return self.app.state.workbench.gate.writing()

    def __exit__(self, *exc) -> None:
        self._stop_background.set()
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve(settings: Settings, bound_host: str = "127.0.0.1", now: dt.datetime | None = NOW,
          index: bool = True) -> LiveServer:
    """The workbench as `dulun serve` builds it (`bound_host` decides its security mode), with
    the search index brought up to date first."""
    from dulun.web.server import build
    from store.search_index import update_index

    if index:
        update_index(settings.database)
    app, stop = build(settings, bound_host, pinned_now=now, update_index=False)
    return LiveServer(app, stop)


@dataclass
class Reply:
    status: int
    headers: dict
    text: str
    set_cookies: list[str] = field(default_factory=list)


class Client:
    """A real HTTP client with its own cookies; never follows redirects (tests look at them)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.extra_cookie: str | None = None  # for Secure cookies, which a client keeps only on https

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, path: str, data: dict | list | None = None, headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        if self.extra_cookie:
            req.add_header("Cookie", self.extra_cookie)
        try:
            with self._opener.open(req, timeout=60) as resp:
                return Reply(resp.status, dict(resp.headers), resp.read().decode("utf-8"), resp.headers.get_all("Set-Cookie") or [])
        except urllib.error.HTTPError as err:
            return Reply(err.code, dict(err.headers), err.read().decode("utf-8", "replace"), err.headers.get_all("Set-Cookie") or [])

    def get(self, path: str, **kwargs) -> Reply:
        return self.request(path, **kwargs)

    def post(self, path: str, data, **kwargs) -> Reply:
        return self.request(path, data=data, **kwargs)

    def csrf(self, path: str = "/review") -> str:
        """The CSRF token the page at `path` gives this client's session."""
        import re

        page = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', page.text)[1]


