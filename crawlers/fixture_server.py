"""A real local HTTP server for crawler tests, the benchmark and offline runs.

`SiteServer` serves one fixture site (`crawlers/fixtures/sites/<name>/site/`) on 127.0.0.1 at
a random port, mapping the real site's paths to files, and rewrites the real site's absolute
URLs in what it serves to its own base, so fixture pages keep the links exactly as the site
writes them. Extra `routes` (path -> handler) add dynamic pages: errors, slow responses,
huge bodies.
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sites"
_TYPES = {".rss": "application/rss+xml", ".xml": "application/xml", ".json": "application/json",
          ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".gz": "application/x-gzip"}

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class SiteServer:
    root: Path | None = None
    real_hosts: list[str] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    user_agents: set[str] = field(default_factory=set)
    host: str = "127.0.0.1"  # any 127.x address: tests stand up several "hosts" side by side

    def __post_init__(self):
        self._lock = threading.Lock()
        self.headers = fixture_headers(self.root) if self.root else {}
        self._httpd = ThreadingHTTPServer((self.host, 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "SiteServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def count(self, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def localize(self, body: bytes) -> bytes:
        """Real absolute URLs -> this server (https and http, with and without www)."""
        base = self.base.encode("ascii")
        for host in sorted(self.real_hosts, key=len, reverse=True):
            for scheme in (b"https://", b"http://", b"//"):
                body = body.replace(scheme + host.encode("ascii"), base if scheme != b"//" else base[5:])
        return body

    def file_for(self, path: str, query: str) -> Path | None:
        return fixture_file(self.root, path, query) if self.root is not None else None


def fixture_headers(root: Path) -> dict:
    """Per-site response headers (a portal that omits the charset, a page served with the
    wrong one): headers.json beside site/, keyed by path or "*"."""
    headers_file = root.parent / "headers.json"
    return json.loads(headers_file.read_text(encoding="utf-8")) if headers_file.is_file() else {}


def fixture_file(root: Path, path: str, query: str = "") -> Path | None:
    """The file under `root` that stands for a real site's `path` (and `query`), if any."""
    relative = path.lstrip("/")
    candidates = []
    if query:
        candidates.append(f"{relative}__{query}")
    candidates += [relative, relative.rstrip("/") + "/index.html" if relative else "index.html"]
    for candidate in candidates:
        target = (root / candidate).resolve()
        if root.resolve() in target.parents and target.is_file():
            return target
    return None


def served_content_type(root: Path, path: str, target: Path) -> str:
    """The Content-Type the fixture server sends for `target` (headers.json first, then the suffix)."""
    headers = fixture_headers(root)
    for key in (path, "*"):
        if "Content-Type" in headers.get(key, {}):
            return headers[key]["Content-Type"]
    return _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "text/html; charset=utf-8"


def _handler_for(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # tests stay quiet
            pass

        def setup(self):
            super().setup()
            # Headers and body go out as separate writes; without this, Nagle + delayed ACK
            # add ~40 ms to every keep-alive response and the benchmark measures the kernel.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self):
            parts = urlsplit(self.path)
            server.count(parts.path)
            server.user_agents.add(self.headers.get("User-Agent", ""))
            route = server.routes.get(parts.path)
            if route is not None:
                route(self)
                return
            target = server.file_for(parts.path, parts.query)
            if target is None:
                if parts.path == "/robots.txt":
                    return self.send_body(b"User-agent: *\nAllow: /\n", "text/plain")
                return self.send_body(b"<h1>404</h1>", "text/html", status=404)
            body = server.localize(target.read_bytes())
            # Conditional GET as real feeds do it: a strong ETag and a Last-Modified.
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self.send_body(b"", "text/plain", status=304, headers={"ETag": etag})
            kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "text/html; charset=utf-8"
            extra = dict(server.headers.get("*", {}))
            extra.update(server.headers.get(parts.path, {}))
            extra.setdefault("ETag", etag)
            extra.setdefault("Last-Modified", "Sun, 22 Nov 2026 03:00:00 GMT")
            self.send_body(body, extra.pop("Content-Type", kind), headers=extra)

        def send_body(self, body: bytes, content_type: str, status: int = 200, headers: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


def site_dir(name: str) -> Path:
    return FIXTURES / name / "site"


def localize_entry(source, base: str) -> dict:
    """A source entry pointed at a local server: scheme+host of each start URL replaced."""
    import re

    entry = source.model_dump(mode="json", exclude_none=True)
    entry["start_urls"] = [re.sub(r"^https?://[^/]+", base, url) for url in source.start_urls]
    entry["allowed_domains"] = ["127.0.0.1"]
    return entry


def real_hosts(source) -> list[str]:
    return [h for d in source.allowed_domains for h in (d, f"www.{d}")]


def serve_fixture_sources(sources_file: Path) -> dict[str, SiteServer]:
    """Serve every shipped source's fixture on its own port and write a sources file for them."""
    import yaml

    from crawlers.sources import load_sources

    servers, entries = {}, []
    for source in load_sources():
        servers[source.name] = SiteServer(site_dir(source.name), real_hosts(source)).start()
        entries.append(localize_entry(source, servers[source.name].base))
    sources_file.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return servers


def main() -> None:
    """`python -m crawlers.fixture_server [SOURCES_OUT]`: serve the fixtures until Ctrl-C.

    Then, in another shell:
    `DULUN_CRAWL__OWN_HOSTS=127.0.0.1 dulun crawl --sources-file SOURCES_OUT --source vnexpress-thoi-su`.
    """
    import sys
    import time

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "fixture-sources.yaml").resolve()
    servers = serve_fixture_sources(out)
    print(f"Serving {len(servers)} fixture sites; sources file: {out}")
    print(f"Try: DULUN_CRAWL__OWN_HOSTS=127.0.0.1 dulun crawl --sources-file {out} --source vnexpress-thoi-su")
    print("(127.0.0.1 is a loopback address: the crawler refuses it unless you list it as your own host.)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
