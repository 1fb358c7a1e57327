"""The page's JSON-LD (schema.org), as search engines read it: every object, and the article's."""
from __future__ import annotations

import json
from typing import Any

ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "Report")


def ld_objects(sel) -> list[dict[str, Any]]:
    """Every object of the page's JSON-LD blocks (arrays and @graph unrolled); bad blocks skipped."""
    objects = []
    for raw in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(raw.strip(), strict=False)
        except ValueError:
            continue
        objects.extend(_items(data))
    return objects


def is_article(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in ARTICLE_TYPES for k in kinds if isinstance(k, str))


def ld_article(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The article object (NewsArticle, Article, BlogPosting, ...) among them, or {}."""
    return next((item for item in objects if is_article(item)), {})


def ld_author(article: dict[str, Any]) -> str | None:
    author = article.get("author")
    if isinstance(author, list):
        names = [a.get("name") if isinstance(a, dict) else str(a) for a in author]
        return ", ".join(n for n in names if n) or None
    if isinstance(author, dict):
        return author.get("name")
    return author if isinstance(author, str) else None


def _items(data: Any):
    if isinstance(data, list):
        for entry in data:
            yield from _items(entry)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _items(data["@graph"])
