"""Records each source's crawl run: parse errors as failures, and the run's end."""
from __future__ import annotations

from scrapy import signals


class RunRecorder:
    @classmethod
    def from_crawler(cls, crawler):
        recorder = cls()
        crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_error(self, failure, response, spider):
        spider.state.fail(getattr(response, "url", None), "parse_error",
                          f"{type(failure.value).__name__}: {failure.value}")

    def spider_closed(self, spider, reason):
        spider.state.finish(reason)
