"""Items become `core.records.Document`s and are upserted in small batches.

Text fields lose their control characters here, on the way in (see `strip_controls`).
A batch is written every `flush_items` items, every `flush_seconds`, and when the spider
closes, so a crash loses at most the unflushed batch and re-runs never duplicate (the upsert
is keyed by the canonical URL).
"""
from __future__ import annotations

from twisted.internet import task

from crawlers.extract import strip_controls
from core.records import Document


class DocumentPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        state = spider.state
        timer = task.LoopingCall(state.flush_if_due)
        timer.start(max(0.2, state.context.flush_seconds / 2), now=False)
        self._timer = timer

    def close_spider(self, spider=None):
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.crawler.spider.state.flush()

    def process_item(self, item, spider=None):
        spider = self.crawler.spider
        source = spider.source
        spider.state.add_document(Document(
            url=item["url"],
            source=source.name,
            kind=source.kind,
            title=strip_controls(item.get("title")),
            text=strip_controls(item.get("text")),
            lead=strip_controls(item.get("lead")),
            byline=strip_controls(item.get("byline")),
            author_hash=item.get("author_hash"),
            published_at=item.get("published_at"),
            fetched_at=spider.state.context.clock(),
            language=item.get("language"),
            default_province=strip_controls(item.get("place")) or source.province,
            thread_url=item.get("thread_url"),
            portal_status=strip_controls(item.get("portal_status")),
            portal_status_at=item.get("portal_status_at"),
        ))
        return item
