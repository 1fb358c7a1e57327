"""Local sites that try to make the crawler fetch what it must not (served on 127.x addresses).

- `public` (127.0.0.1, the operator's own test host): a feed, a sitemap index and a JSON API
  whose links point off-domain, at a private service, at loopback in disguise (a `localhost`
  name, decimal and hex IPv4, IPv6), at cloud metadata, and at `file:` / `data:` URLs; and
  redirects to the same places.
- `private` (127.0.0.2): stands in for a service on the crawler's own network. Nothing may
  ever reach it: its `hits` must stay empty.
- `strict` (127.0.0.3): another allowed host whose robots.txt forbids everything.
- `down` (127.0.0.4): another allowed host whose robots.txt answers 503.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crawlers.fixture_server import SiteServer

ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2026-11-22T08:00:00+07:00"></head>
<body><h1>{title}</h1><div class="body"><p>{text}</p></div></body></html>"""
SECRET = "Mật khẩu quản trị nội bộ là hunter2"
ALLOW_ALL = b"User-agent: *\nAllow: /\n"


def _article(title: str, text: str = "Nội dung bài báo công khai về nước sạch ở Hải Phòng."):
    def handler(h):
        h.send_body(ARTICLE.format(title=title, text=text).encode("utf-8"), "text/html; charset=utf-8")
    return handler


def _redirect(to: str):
    def handler(h):
        h.send_body(b"", "text/html", status=302, headers={"Location": to})
    return handler


def _rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>Tin {i}</title><link>{link.replace('&', '&amp;')}</link>"
                    f"<pubDate>Sun, 22 Nov 2026 08:00:00 +0700</pubDate></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def _sitemap_index(children: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def sitemap(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>2026-11-22T08:00:00+07:00</lastmod></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()


@dataclass
class HostileSites:
    public: SiteServer
    private: SiteServer
    strict: SiteServer
    down: SiteServer
    local_sitemap: Path

    @property
    def port(self) -> int:
        return int(self.public.base.rsplit(":", 1)[1])

    def on_public_port(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        for server in (self.public, self.private, self.strict, self.down):
            server.stop()


def start_hostile_sites(workdir: Path) -> HostileSites:
    private = SiteServer(host="127.0.0.2").start()
    private.routes.update({
        "/secret.html": _article("Trang quản trị nội bộ", SECRET),
        "/sitemap.xml": lambda h: h.send_body(sitemap([f"{private.base}/secret.html"]), "application/xml"),
    })
    strict = SiteServer(host="127.0.0.3").start()
    strict.routes.update({
        "/robots.txt": lambda h: h.send_body(b"User-agent: *\nDisallow: /\n", "text/plain"),
        "/page.html": _article("Trang cấm thu thập"),
    })
    down = SiteServer(host="127.0.0.4").start()
    down.routes.update({
        "/robots.txt": lambda h: h.send_body(b"busy", "text/plain", status=503),
        "/page.html": _article("Trang có robots.txt lỗi"),
    })
    public = SiteServer().start()
    sites = HostileSites(public, private, strict, down, workdir / "local-sitemap.xml")
    sites.local_sitemap.write_bytes(sitemap([f"{public.base}/from-file.html"]))
    on_port = sites.on_public_port
    feed_links = [
        "/ok.html",
        f"{private.base}/secret.html",                       # off-domain: the private service
        "/go-private.html",                                  # redirect to the private service
        on_port("localhost", "/via-localhost.html"),          # allowed name that resolves to loopback
        on_port("2130706433", "/decimal.html"),               # 127.0.0.1 written as one number
        on_port("0x7f000001", "/hex.html"),                   # ... and in hex
        on_port("[::1]", "/v6.html"),                         # IPv6 loopback
        "http://169.254.169.254/latest/meta-data/",           # cloud metadata
        "/go-localhost.html",                                 # redirect to loopback under another name
        "/go-file.html",                                      # redirect to a local file
        "/to-strict.html",                                    # redirect to a host whose robots.txt forbids it
        f"{down.base}/page.html",                             # a host whose robots.txt cannot be read
    ]
    api = {"data": {"items": [
        {"id": "101", "url": "javascript:alert(document.cookie)", "title": "Phản ánh 101", "content": "Đèn đường hỏng.",
         "created_at": "2026-11-22T08:00:00+07:00"},
        {"url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "title": "Phản ánh 102",
         "content": "Rác thải ùn ứ.", "created_at": "2026-11-22T09:00:00+07:00"},
        {"url": "/phan-anh/103", "title": "Phản ánh 103", "content": "Ngập nước sau mưa.",
         "created_at": "2026-11-22T10:00:00+07:00"},
    ]}}
    public.routes.update({
        "/robots.txt": lambda h: h.send_body(ALLOW_ALL, "text/plain"),
        "/feed.rss": lambda h: h.send_body(_rss(feed_links), "application/rss+xml"),
        "/sitemap-index.xml": lambda h: h.send_body(_sitemap_index([
            "file:///etc/passwd", sites.local_sitemap.as_uri(), "data:text/plain,hello",
            f"{private.base}/sitemap.xml", f"{public.base}/news.xml"]), "application/xml"),
        "/news.xml": lambda h: h.send_body(sitemap([f"{public.base}/from-sitemap.html"]), "application/xml"),
        "/api.json": lambda h: h.send_body(json.dumps(api).encode(), "application/json"),
        "/ok.html": _article("Bài hợp lệ"),
        "/from-sitemap.html": _article("Bài từ sitemap"),
        "/from-file.html": _article("Bài từ sitemap trong tệp cục bộ"),
        "/via-localhost.html": _article("Bài qua localhost"),
        "/via-localhost-2.html": _article("Bài qua localhost sau chuyển hướng"),
        "/decimal.html": _article("Bài qua địa chỉ thập phân"),
        "/hex.html": _article("Bài qua địa chỉ hex"),
        "/go-private.html": _redirect(f"{private.base}/secret.html"),
        "/go-localhost.html": _redirect(on_port("localhost", "/via-localhost-2.html")),
        "/go-file.html": _redirect("file:///etc/passwd"),
        "/to-strict.html": _redirect(f"{strict.base}/page.html"),
    })
    return sites
