"""A local site that misbehaves in every way the crawler must survive (served on 127.0.0.1)."""
from __future__ import annotations

import gzip
import time

from crawlers.cp1258 import to_cp1258
from crawlers.fixture_server import SiteServer

ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{published}"></head>
<body><h1>{title}</h1><div class="body"><p>{text}</p><p>Đoạn thứ hai của bài viết về {title}.</p></div></body></html>"""

NO_DATE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bài không ghi ngày</title></head>
<body><h1>Bài không ghi ngày</h1><div class="body"><p>Trang này không có ngày đăng ở bất cứ đâu.</p></div></body></html>"""

MALFORMED = """<html><head><meta charset="utf-8"><title>Trang HTML hỏng</title><body><h1>Trang HTML hỏng
<div class="body"><p>Thẻ không đóng, <b>chữ đậm <i>lồng nhau sai</b></i> nhưng nội dung vẫn đọc được.
<p>Đoạn thứ hai vẫn nằm trong trang <table><tr><td>ô bảng</div>"""



# Served with a header claiming utf-8: the page is in the wrong encoding for its header.
WRONG_ENCODING = to_cp1258(
    '<html><head><meta charset="windows-1258"><title>Nguồn nước sạch</title></head>'
    '<body><h1>Nguồn nước sạch</h1><div class="body"><p>Người dân phản ánh thiếu nước sinh hoạt.</p></div></body></html>'
)

# An old provincial page drawn in the TCVN3 font .VnTime, served as Latin-1 as such pages were:
# "Người dân phản ánh tình trạng ô nhiễm" in TCVN3 codes (0xAD, the soft hyphen, is "ư").
LEGACY_FONT = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    '<meta property="article:published_time" content="2026-11-22T08:00:00+07:00"><title>UBND x·</title></head>'
    '<body><h1><font face=".VnTime">Ng\xadêi d©n ph¶n ¸nh t×nh tr¹ng « nhiÔm</font></h1>'
    '<div class="body"><p><font face=".VnTime">N\xadíc th¶i tõ khu c«ng nghiÖp ch¶y ra s«ng, '
    'bèc mïi h«i thèi.</font></p></div></body></html>'
).encode("latin-1")


# A page that tries to drive the analyst's terminal (`dulun label` prints titles and text):
# clear the screen, turn red, ring the bell, flip the text direction, hide a NUL.
CONTROL_CHARS = ARTICLE.format(
    title="Người dân\x1b[2J\x1b[31m phản ánh\x07 ngập úng",
    published="2026-11-22T08:00:00+07:00",
    text="Nước ngập\u202e sâu\x00 nửa mét\x1b]0;pwned\x07 sau mưa.\r\nĐường phố thành sông.",
).encode("utf-8")

# 50 MB of zeros that travel as about 50 kB: small on the wire, too large once decompressed.
GZIP_BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)


def feed(base: str) -> bytes:
    """Broken XML (unescaped &, an unclosed tag), a wrong declared encoding, relative links,
    the same item twice, and links to every kind of trouble."""
    links = ["/ok-1.html", "/ok-2.html", "/ok-1.html", "/missing.html", "/broken.html", "/flaky.html",
             "/throttled.html", "/slow.html", "/loop-a.html", "/huge.html", "/huge-stream.html",
             "/malformed.html", "/empty.html", "/wrong-encoding.html", "/no-date.html", "/legacy-font.html",
             "/private/secret.html", "/gzip-bomb.html", "/control-chars.html"]
    items = "".join(
        f"<item><title>Mục {i} & chú thích</title><link>{link}</link>"
        + ("" if "no-date" in link else f"<pubDate>Sun, 22 Nov 2026 0{i % 10}:00:00 +0700</pubDate>")
        + "</item>"
        for i, link in enumerate(links)
    )
    return (f'<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel>'
            f"<title>Nguồn rắc rối</title>{items}<item><title>unclosed</channel></rss>").encode("utf-8")


def make_trouble_site(timeout_s: float) -> SiteServer:
    server = SiteServer()
    attempts: dict[str, int] = {}

    def once_then_ok(status: int, extra: dict | None = None):
        def handler(h):
            attempts[h.path] = attempts.get(h.path, 0) + 1
            if attempts[h.path] == 1:
                return h.send_body(b"busy", "text/plain", status=status, headers=extra or {})
            article(h.path.strip("/").removesuffix(".html"))(h)
        return handler

    def article(name: str):
        def handler(h):
            body = ARTICLE.format(title=f"Bài {name}", published="2026-11-22T08:00:00+07:00",
                                  text=f"Nội dung của bài {name}, viết bằng tiếng Việt có dấu.")
            h.send_body(body.encode("utf-8"), "text/html; charset=utf-8")
        return handler

    def slow(h):
        time.sleep(timeout_s + 1.5)
        try:
            h.send_body(b"<html>too late</html>", "text/html")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up waiting, as it should

    def redirect(to: str):
        def handler(h):
            h.send_body(b"", "text/html", status=302, headers={"Location": to})
        return handler

    def huge(h, declare_length: bool):
        chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declare_length:
            h.send_header("Content-Length", str(50 * len(chunk)))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        try:
            for _ in range(50):  # 50 MB
                h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def gzip_bomb(h):
        h.send_body(GZIP_BOMB, "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})

    server.routes.update({
        "/robots.txt": lambda h: h.send_body(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/gzip-bomb.html": gzip_bomb,
        "/control-chars.html": lambda h: h.send_body(CONTROL_CHARS, "text/html; charset=utf-8"),
        "/feed.rss": lambda h: h.send_body(feed(server.base), "application/rss+xml"),
        "/ok-1.html": article("ok-1"),
        "/ok-2.html": article("ok-2"),
        "/broken.html": lambda h: h.send_body(b"server error", "text/plain", status=500),
        "/flaky.html": once_then_ok(503),
        "/throttled.html": once_then_ok(429, {"Retry-After": "0"}),
        "/slow.html": slow,
        "/loop-a.html": redirect("/loop-b.html"),
        "/loop-b.html": redirect("/loop-a.html"),
        "/huge.html": lambda h: huge(h, True),
        "/huge-stream.html": lambda h: huge(h, False),
        "/malformed.html": lambda h: h.send_body(MALFORMED.encode("utf-8"), "text/html; charset=utf-8"),
        "/empty.html": lambda h: h.send_body(b"", "text/html; charset=utf-8"),
        "/wrong-encoding.html": lambda h: h.send_body(WRONG_ENCODING, "text/html; charset=utf-8"),
        "/no-date.html": lambda h: h.send_body(NO_DATE.encode("utf-8"), "text/html; charset=utf-8"),
        "/legacy-font.html": lambda h: h.send_body(LEGACY_FONT, "text/html; charset=iso-8859-1"),
        "/private/secret.html": article("secret"),
    })
    return server


def many_articles_site(count: int, delay_s: float) -> SiteServer:
    """A feed of `count` articles, each answered after `delay_s` (for the killed-crawl test)."""
    server = SiteServer()

    def feed_handler(h):
        items = "".join(f"<item><title>Bài {i}</title><link>/bai-{i}.html</link>"
                        f"<pubDate>Sun, 22 Nov 2026 08:00:00 +0700</pubDate></item>" for i in range(count))
        h.send_body(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "application/rss+xml")

    def article_handler(i: int):
        def handler(h):
            time.sleep(delay_s)
            body = ARTICLE.format(title=f"Bài số {i}", published="2026-11-22T08:00:00+07:00",
                                  text=f"Nội dung bài số {i} về giao thông và nước sạch.")
            h.send_body(body.encode("utf-8"), "text/html; charset=utf-8")
        return handler

    server.routes["/feed.rss"] = feed_handler
    for i in range(count):
        server.routes[f"/bai-{i}.html"] = article_handler(i)
    return server
