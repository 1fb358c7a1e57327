"""A local HTTP server for the bundled demo site: 127.0.0.1, a free port, a background thread.

    with serve_demo_site() as site:
        crawl(settings, sources_file=site.sources_file, now=DEMO_NOW)

The site is generated and rendered once at start (deterministic for a seed) and served from
memory. Alongside the sources file it writes `expected.json`, the manifest of what each item
is meant to be about, so the demo and the tests can check end-to-end quality.

A replay crawl (`crawl(cycles=...)`) says in `X-Dulun-Clock` which moment each poll stands for;
the site then shows only what it had published by then (`ClockedSite`), so documents are
fetched at realistic times on the simulated clock.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from crawlers.demo_site.content import DEFAULT_SEED, Item, build_content, manifest
from crawlers.demo_site.site import Page, render_site
from core.timeutil import VN

DEMO_NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)
SOURCES_TEMPLATE = Path(__file__).parent / "sources.yaml"
NOT_FOUND = Page(404, "text/html; charset=utf-8",
                 "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 - Không tìm thấy trang</title>"
                 "</head><body><h1>Không tìm thấy trang</h1></body></html>".encode("utf-8"))
FORBIDDEN = Page(403, "text/html; charset=utf-8", b"<html><body><h1>403 Forbidden</h1></body></html>")


@dataclass(frozen=True)
class DemoSite:
    base_url: str
    sources_file: Path
    expected_file: Path
    expected: dict
    proxy_url: str = ""  # the server itself, to reach `base_url` when it is not 127.0.0.1
    items: tuple = ()

    def polls(self, start: dt.datetime, end: dt.datetime, every: dt.timedelta = dt.timedelta(hours=1)) -> list:
        """Polls of a replay from `start` to `end`: every source at `start`, then every `every`
        the sources that show something new since their last poll (a poll that would find
        nothing is left out: it would store nothing)."""
        return polls(list(self.items), start, end, every)


def polls(items: list[Item], start: dt.datetime, end: dt.datetime, every: dt.timedelta) -> list:
    from crawlers.api import Poll

    sources = sorted({it.source for it in items})
    seen = {s: _signature(items_at([it for it in items if it.source == s], start)) for s in sources}
    found, moment = [Poll(start)], start
    while moment + every <= end:
        moment += every
        visible = items_at(items, moment)
        changed = []
        for source in sources:
            signature = _signature([it for it in visible if it.source == source])
            if signature != seen[source]:
                changed.append(source)
                seen[source] = signature
        if changed:
            found.append(Poll(moment, tuple(changed)))
    return found


def _signature(items: list[Item]) -> tuple[int, int, int]:
    # A petition's status change on the portal is news too (follow-up reads it).
    return len(items), sum(len(it.posts) for it in items), sum(len(it.statuses) for it in items)


# A stable, port-free address for the demo's pages (`.test` is reserved: it never resolves).
# The crawl reaches it through the local server acting as an HTTP proxy, so document URLs,
# and with them document ids, are the same in every demo run whatever port was free.
DEMO_ADDRESS = "http://dulun-demo.test"


def sources_yaml(base_url: str) -> str:
    host = urlsplit(base_url).hostname or "127.0.0.1"
    return SOURCES_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url).replace("{host}", host)


CLOCK_HEADER = "X-Dulun-Clock"


class ClockedSite:
    """The site as it stood at a moment: items (and forum replies) published by then. A replay
    crawl names its moment in `X-Dulun-Clock`; without it the whole site is served. Renderings
    are kept per set of visible items, so polls that find nothing new cost nothing."""

    def __init__(self, items: list[Item], base_url: str):
        self.items = items
        self.base_url = base_url
        self.full = render_site(items, base_url)
        self._renders: dict[tuple[int, int, int], dict[str, Page]] = {}
        self._lock = threading.Lock()

    def pages(self, clock: str | None) -> dict[str, Page]:
        if not clock:
            return self.full
        try:
            moment = dt.datetime.fromisoformat(clock)
        except ValueError:
            return self.full
        visible = items_at(self.items, moment)
        key = _signature(visible)
        with self._lock:
            if key not in self._renders:
                self._renders[key] = render_site(visible, self.base_url)
            return self._renders[key]


def items_at(items: list[Item], moment: dt.datetime) -> list[Item]:
    """Items published by `moment`, each forum thread with only the posts written by then and
    each petition with the portal statuses it showed by then."""
    visible = []
    for it in items:
        if it.published > moment:
            continue
        if it.posts:
            it = dataclasses.replace(it, posts=[p for p in it.posts if p.published <= moment])
        if it.statuses:
            it = dataclasses.replace(it, statuses=[s for s in it.statuses if s[0] <= moment])
        visible.append(it)
    return visible


def make_handler(site: "ClockedSite | dict[str, Page]") -> type[BaseHTTPRequestHandler]:
    class DemoHandler(BaseHTTPRequestHandler):
        server_version = "DemoSite/1.0"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self.answer(with_body=False)

        def answer(self, with_body: bool) -> None:
            pages = site.pages(self.headers.get(CLOCK_HEADER)) if isinstance(site, ClockedSite) else site
            page = self.lookup(pages, self.path)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            if page.location:
                self.send_header("Location", page.location)
            self.end_headers()
            if with_body:
                self.wfile.write(page.body)

        @staticmethod
        def lookup(pages: dict[str, Page], raw_path: str) -> Page:
            parts = urlsplit(raw_path)
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            if key in pages:
                return pages[key]
            if parts.path.startswith("/admin/"):
                return FORBIDDEN
            return pages.get(parts.path, NOT_FOUND) if not parts.query else NOT_FOUND

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass  # quiet: the crawler logs what it fetched

    return DemoHandler


@contextlib.contextmanager
def serve_demo_site(seed: int = DEFAULT_SEED, directory: Path | None = None,
                    address: str | None = None) -> Iterator[DemoSite]:
    """Serve the demo site on 127.0.0.1 (free port) until the block ends.

    With `address` (e.g. DEMO_ADDRESS) pages link to that address instead of 127.0.0.1:port,
    and clients reach it through `proxy_url`, the server answering as an HTTP proxy.

    Writes `sources.yaml` (with `{base}` replaced) and `expected.json` into `directory`
    (a temporary directory removed afterwards when not given).
    """
    items = build_content(seed)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler({}))
    server.daemon_threads = True
    proxy_url = f"http://127.0.0.1:{server.server_address[1]}"
    base_url = (address or proxy_url).rstrip("/")
    server.RequestHandlerClass = make_handler(ClockedSite(items, base_url))
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dulun-demo-site-")))
        directory.mkdir(parents=True, exist_ok=True)
        sources_file = directory / "sources.yaml"
        sources_file.write_text(sources_yaml(base_url), encoding="utf-8")
        expected_text = json.dumps(manifest(items), ensure_ascii=False, indent=1).replace("{base}", base_url)
        expected_file = directory / "expected.json"
        expected_file.write_text(expected_text, encoding="utf-8")
        expected = json.loads(expected_text)
        try:
            yield DemoSite(base_url, sources_file, expected_file, expected, proxy_url, tuple(items))
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
