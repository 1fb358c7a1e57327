"""robots.txt that cannot be read means "crawl nothing there", not "crawl everything".

Scrapy's RobotsTxtMiddleware treats a robots.txt it failed to download as allow-all, and parses
a 5xx error page as if it were the file. RFC 9309 (2.3.1.3, 2.3.1.4) says: a 4xx answer means
no rules (allow all); a 5xx answer or an unreachable server means complete disallow. This
downloader middleware sits after the retry middleware on the way back, so it sees the final
outcome of every robots.txt request and hands Scrapy's parser what the RFC means: an empty file
for 4xx, `Disallow: /` for 5xx and errors. Each unreadable robots.txt is logged once with its
reason and remembered on the source's run, so the pages refused there are counted as
`robots_unavailable` instead of a plain `robots`.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

log = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def is_robots_request(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


class RobotsOutcomeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None):
        if not is_robots_request(request) or response.status < 400:
            return response
        if response.status < 500:
            return response.replace(status=200, body=b"")  # RFC 9309: no robots.txt, no rules
        return self._unavailable(request, f"HTTP {response.status}", response)

    def process_exception(self, request: Request, exception: BaseException, spider=None):
        if not is_robots_request(request):
            return None
        reason = str(exception).splitlines()[0] if str(exception) else type(exception).__name__
        return self._unavailable(request, f"{type(exception).__name__}: {reason}"[:200], None)

    def _unavailable(self, request: Request, reason: str, response: Response | None) -> Response:
        host = urlsplit(request.url).netloc
        spider = self.crawler.spider
        state = getattr(spider, "state", None)
        if state is not None:
            state.robots_unavailable[host] = reason
        log.warning("%s: robots.txt of %s could not be read (%s); nothing on that host is fetched this run.",
                    getattr(spider, "name", "?"), host, reason)
        if response is not None:
            return response.replace(status=200, body=DISALLOW_ALL)
        return Response(request.url, status=200, body=DISALLOW_ALL, request=request)
