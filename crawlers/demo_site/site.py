"""Render the generated items into the pages, feeds and API answers the demo server serves.

Each outlet has its own real-like markup (templates/ in package data): a national paper with
RSS, meta `article:published_time` and JSON-LD; a provincial paper with paginated listings and
only a Vietnamese date string; a provincial paper with a news sitemap and JSON-LD; a
XenForo-like forum; a citizen-feedback portal with a paginated JSON API. Pages are rendered
once, with absolute links to `base_url`, and kept in memory as bytes.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from crawlers.demo_site.content import Item, item_path

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 20
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
SECTIONS = {"lao-dong": "Lao động", "moi-truong": "Môi trường", "thoi-su": "Thời sự", "phap-luat": "Pháp luật",
            "suc-khoe": "Sức khỏe", "giao-duc": "Giáo dục", "xa-hoi": "Xã hội", "giai-tri-the-thao": "Giải trí - Thể thao"}
FULL_PROVINCE = {"Hải Phòng": "Thành phố Hải Phòng", "Hà Nội": "Thành phố Hà Nội", "Hồ Chí Minh": "Thành phố Hồ Chí Minh",
                 "Đà Nẵng": "Thành phố Đà Nẵng", "Cần Thơ": "Thành phố Cần Thơ", "Huế": "Thành phố Huế"}
FORUM_PATH = "/diendan/forums/thoi-su-xa-hoi.33/"
FORUM_NAME = "Thời sự - Xã hội"
FEED_PATH = "/baoquocgia/rss/tin-moi-nhat.rss"
LISTING_PATH = "/baohaiphong/xa-hoi/"
SITEMAP_PATH = "/baoquangngai/sitemap-news.xml"
API_PATH = "/phananh/api/v1/phan-anh"

# Deliberately broken links, so a demo crawl shows failures by cause.
MISSING_ARTICLE = "/baoquocgia/thoi-su/bai-viet-da-bi-go-4809999.html"  # in the feed, answers 404
MALFORMED_ARTICLE = "/baohaiphong/xa-hoi/bai-loi-dinh-dang-230999.html"  # in the listing, broken bytes
ROBOTS_BLOCKED = "/admin/ban-nhap/bai-chua-duyet-230998.html"  # in the listing, disallowed by robots.txt

ROBOTS_TXT = """# Trang mô phỏng cho dulun demo: cho phép thu thập, trừ khu vực quản trị.
User-agent: *
Disallow: /admin/
Disallow: /diendan/members/

Sitemap: {base}/baoquangngai/sitemap-news.xml
"""


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes
    location: str | None = None  # for redirects


def html_page(text: str) -> Page:
    return Page(200, "text/html; charset=utf-8", text.encode("utf-8"))


def vn_date(when: dt.datetime) -> str:
    """'Thứ hai, 16/11/2026, 09:58 (GMT+7)' as the national paper prints it."""
    return f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y, %H:%M} (GMT+7)"


def hp_date(when: dt.datetime) -> str:
    """'Thứ Hai, 16/11/2026 - 09:58' as the Hải Phòng paper prints it."""
    return f"{WEEKDAYS[when.weekday()].title()}, {when:%d/%m/%Y - %H:%M}"


def qn_date(when: dt.datetime) -> str:
    return f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y | %H:%M} (GMT+7)"


def xf_time(when: dt.datetime) -> str:
    """XenForo writes offsets without a colon: 2026-11-16T19:20:00+0700."""
    return when.strftime("%Y-%m-%dT%H:%M:%S%z")


def json_ld(item: Item, url: str, publisher: str) -> Markup:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
        "headline": item.title, "description": item.lead, "datePublished": item.published.isoformat(),
        "dateModified": item.published.isoformat(), "inLanguage": "vi",
        "author": {"@type": "Person", "name": item.byline},
        "publisher": {"@type": "Organization", "name": publisher},
    }
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def related(items: list[Item], index: int, base: str, count: int = 3) -> list[dict]:
    others = [items[(index + k) % len(items)] for k in range(1, count + 1) if len(items) > 1]
    return [{"href": item_path(o), "title": o.title} for o in others]


def render_site(items: list[Item], base: str) -> dict[str, Page]:
    """Every path (with its query string, if any) the demo site answers, rendered once."""
    env = environment()
    by_source: dict[str, list[Item]] = {}
    for it in items:
        by_source.setdefault(it.source, []).append(it)
    pages: dict[str, Page] = {}
    pages.update(render_baoquocgia(env, by_source.get("demo-baoquocgia", []), base))
    pages.update(render_baohaiphong(env, by_source.get("demo-baohaiphong", []), base))
    pages.update(render_baoquangngai(env, by_source.get("demo-baoquangngai", []), base))
    pages.update(render_diendan(env, by_source.get("demo-diendan", []), base))
    pages.update(render_phananh(env, by_source.get("demo-phananh", []), base))
    pages["/robots.txt"] = Page(200, "text/plain; charset=utf-8", ROBOTS_TXT.format(base=base).encode("utf-8"))
    pages["/"] = html_page(env.get_template("index.html.j2").render(sources=[
        {"href": FEED_PATH, "title": "Báo Quốc Gia (RSS)", "spider": "feed"},
        {"href": LISTING_PATH, "title": "Báo Hải Phòng (chuyên mục)", "spider": "listing"},
        {"href": SITEMAP_PATH, "title": "Báo Quảng Ngãi (sitemap)", "spider": "sitemap"},
        {"href": FORUM_PATH, "title": "Diễn đàn Phố Cảng", "spider": "forum"},
        {"href": API_PATH + "?page=1", "title": "Cổng phản ánh, kiến nghị (JSON)", "spider": "json"},
    ]))
    # a broken page: declared UTF-8 but cut off mid-character, with no article in it
    pages[MALFORMED_ARTICLE] = Page(200, "text/html; charset=utf-8",
                                    b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>B\xc3\xa1o H\xe1\xba"
                                    b"\xff\xfe<div class=\"detail-body\"><p>L\xe1\xbb\x97i \xc4")
    return pages


def render_baoquocgia(env: jinja2.Environment, items: list[Item], base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    article = env.get_template("baoquocgia_article.html.j2")
    for i, it in enumerate(items):
        url = base + item_path(it)
        pages[item_path(it)] = html_page(article.render(
            it=it, url=url, base=base, iso=it.published.isoformat(), vn_date=vn_date(it.published),
            section=SECTIONS[it.category], jsonld=json_ld(it, url, "Báo Quốc Gia"), related=related(items, i, base)))
    entries = [{"title": it.title, "lead": it.lead, "link": base + item_path(it), "guid": it.number,
                "pub_date": format_datetime(it.published), "section": SECTIONS[it.category], "published": it.published}
               for it in items]
    if len(entries) > 5:  # an item whose page was taken down: the feed still links it
        gone = entries[4]["published"] - dt.timedelta(minutes=7)
        entries.insert(5, {"title": "Bài viết đã được gỡ bỏ theo yêu cầu", "lead": "Nội dung không còn tồn tại.",
                           "link": base + MISSING_ARTICLE, "guid": 4809999, "pub_date": format_datetime(gone),
                           "section": "Thời sự", "published": gone})
    last = items[0].published if items else dt.datetime(2026, 11, 23)
    rss = env.get_template("baoquocgia_rss.xml.j2").render(base=base, feed_url=base + FEED_PATH, entries=entries,
                                                          last_build=format_datetime(last))
    pages[FEED_PATH] = Page(200, "application/rss+xml; charset=utf-8", rss.encode("utf-8"))
    return pages


def render_baohaiphong(env: jinja2.Environment, items: list[Item], base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    article = env.get_template("baohaiphong_article.html.j2")
    for i, it in enumerate(items):
        url = base + item_path(it)
        tags = ["Hải Phòng"] + [SECTIONS[it.category]]
        pages[item_path(it)] = html_page(article.render(
            it=it, url=url, vn_date=hp_date(it.published), section=SECTIONS[it.category], tags=tags,
            related=related(items, i, base)))
    entries = [{"href": item_path(it), "title": it.title, "lead": it.lead, "number": it.number,
                "short_date": it.published.strftime("%d/%m/%Y")} for it in items]
    entries.insert(2, {"href": MALFORMED_ARTICLE, "title": "Bài viết lỗi định dạng", "lead": "", "number": 230999,
                       "short_date": "22/11/2026"})
    entries.insert(3, {"href": ROBOTS_BLOCKED, "title": "Bản nháp chưa duyệt", "lead": "", "number": 230998,
                       "short_date": "22/11/2026"})
    listing = env.get_template("baohaiphong_listing.html.j2")
    chunks = [entries[k:k + PAGE_SIZE] for k in range(0, len(entries), PAGE_SIZE)] or [[]]

    def page_href(n: int) -> str:
        return LISTING_PATH if n == 1 else f"{LISTING_PATH}trang-{n}.html"

    for n, chunk in enumerate(chunks, start=1):
        pages[page_href(n)] = html_page(listing.render(
            entries=chunk, page=n, prev_href=page_href(n - 1) if n > 1 else None,
            next_href=page_href(n + 1) if n < len(chunks) else None))
    return pages


def render_baoquangngai(env: jinja2.Environment, items: list[Item], base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    article = env.get_template("baoquangngai_article.html.j2")
    for i, it in enumerate(items):
        url = base + item_path(it)
        pages[item_path(it)] = html_page(article.render(
            it=it, url=url, vn_date=qn_date(it.published), section=SECTIONS[it.category],
            jsonld=json_ld(it, url, "Báo Quảng Ngãi"), related=related(items, i, base)))
    entries = [{"link": base + item_path(it), "iso": it.published.isoformat(), "title": it.title} for it in items]
    xml = env.get_template("baoquangngai_sitemap.xml.j2").render(entries=entries)
    pages[SITEMAP_PATH] = Page(200, "application/xml; charset=utf-8", xml.encode("utf-8"))
    return pages


def post_html(paragraphs: list[str]) -> Markup:
    """XenForo's bbWrapper keeps paragraphs as text separated by <br>."""
    return Markup("<br />\n<br />\n").join(escape(p) for p in paragraphs)


def render_diendan(env: jinja2.Environment, items: list[Item], base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    thread_tpl = env.get_template("diendan_thread.html.j2")
    for it in items:
        path = item_path(it)
        posts = [{"post_id": p.post_id, "number": p.number, "author": p.author, "href": f"{path}post-{p.post_id}",
                  "xf_time": xf_time(p.published), "unix": int(p.published.timestamp()),
                  "short_date": p.published.strftime("%d/%m/%y"), "short_time": p.published.strftime("%H:%M"),
                  "html": post_html(p.paragraphs)} for p in it.posts]
        pages[path] = html_page(thread_tpl.render(it=it, url=base + path, posts=posts, forum_href=FORUM_PATH,
                                                  forum_name=FORUM_NAME))
        for p in posts:  # XenForo post permalinks redirect to the thread with an anchor
            pages[p["href"]] = Page(302, "text/html; charset=utf-8", b"", location=f"{path}#post-{p['post_id']}")
    threads = [{"href": item_path(it), "title": it.title, "author": it.posts[0].author, "number": it.number,
                "xf_time": xf_time(it.published), "unix": int(it.published.timestamp()),
                "short_date": it.published.strftime("%d/%m/%y"), "replies": len(it.posts) - 1} for it in items]
    forum_tpl = env.get_template("diendan_forum.html.j2")
    chunks = [threads[k:k + PAGE_SIZE] for k in range(0, len(threads), PAGE_SIZE)] or [[]]

    def page_href(n: int) -> str:
        return FORUM_PATH if n == 1 else f"{FORUM_PATH}page-{n}"

    for n, chunk in enumerate(chunks, start=1):
        pages[page_href(n)] = html_page(forum_tpl.render(
            threads=chunk, page=n, forum_name=FORUM_NAME, prev_href=page_href(n - 1) if n > 1 else None,
            next_href=page_href(n + 1) if n < len(chunks) else None))
    return pages


def portal_status(item: Item) -> dict:
    """The status the portal shows for a petition (its latest), and the answer date it gives."""
    if not item.statuses:
        return {"status": "Đã tiếp nhận", "answered_at": None}
    _, text, answered = item.statuses[-1]
    return {"status": text, "answered_at": answered.isoformat(timespec="minutes") if answered else None}


def render_phananh(env: jinja2.Environment, items: list[Item], base: str) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    detail = env.get_template("phananh_detail.html.j2")
    records = []
    for it in items:
        place_name = FULL_PROVINCE.get(it.place or "", f"Tỉnh {it.place}" if it.place else "")
        pages[item_path(it)] = html_page(detail.render(
            it=it, iso=it.published.isoformat(), short_date=it.published.strftime("%d/%m/%Y"),
            short_time=it.published.strftime("%H:%M"), place_name=place_name))
        records.append({
            "id": it.number, "code": f"PA{it.number}", "title": it.title,
            "content": "\n\n".join([it.lead] + it.paragraphs), "created_at": it.published.isoformat(),
            "province": place_name or None, "sender_name": it.author, **portal_status(it),
            "url": base + item_path(it),
        })
    chunks = [records[k:k + PAGE_SIZE] for k in range(0, len(records), PAGE_SIZE)] or [[]]
    for n, chunk in enumerate(chunks, start=1):
        answer = {
            "status": "success",
            "data": {"items": chunk, "page": n, "page_size": PAGE_SIZE, "total": len(records)},
            "links": {"self": f"{base}{API_PATH}?page={n}",
                      "next": f"{base}{API_PATH}?page={n + 1}" if n < len(chunks) else None},
        }
        body = json.dumps(answer, ensure_ascii=False, indent=1).encode("utf-8")
        pages[f"{API_PATH}?page={n}"] = Page(200, "application/json; charset=utf-8", body)
    pages[API_PATH] = pages[f"{API_PATH}?page=1"]
    return pages
