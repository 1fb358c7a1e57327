"""Sources are data: the YAML schema, its validation and loading.

A bad entry raises one `UserError` sentence naming the source and the problem, so a typo in
`sources.yaml` never becomes a traceback at 3 a.m.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawlers.hosts import on_domain
from core.datafiles import read_yaml
from core.errors import UserError

SPIDER_KINDS = ("feed", "sitemap", "listing", "forum", "json")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HOST = re.compile(r"^(\[?[0-9a-f:.]+\]?|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)$")


class Selectors(BaseModel):
    """CSS selectors (parsel syntax, `::attr(x)` and `::text` allowed) or XPath (starting with
    `/`, `./` or `(`, e.g. `//h3[@class='title']/a/@href`)."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    published: str | None = None
    byline: str | None = None
    links: str | None = None
    next_page: str | None = None
    max_pages: int = Field(3, ge=1, le=1000)
    threads: str | None = None
    post: str | None = None
    post_author: str | None = None
    post_time: str | None = None
    post_body: str | None = None
    post_link: str | None = None  # optional: the post's permalink, relative to post
    max_thread_pages: int | None = Field(None, ge=1, le=1000)  # optional: pages inside a thread (default: max_pages)


class JsonFields(BaseModel):
    """Dotted paths into a JSON endpoint (`data.items`, `links.next`, `attachments.0.url`)."""

    model_config = ConfigDict(extra="forbid")
    items: str = ""
    url: str | None = None
    id: str | None = None  # optional: builds a stable URL when the item has none
    title: str | None = None
    text: str | None = None
    lead: str | None = None
    published: str | None = None
    author: str | None = None
    place: str | None = None
    status: str | None = None       # petition portals: the status the item shows ("Đã trả lời")
    status_date: str | None = None  # ... and the date the portal gives for it (an answer date)
    next_page: str | None = None
    max_pages: int = Field(5, ge=1, le=1000)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str | None = None
    spider: Literal["feed", "sitemap", "listing", "forum", "json"]
    kind: Literal["press", "post", "petition"]
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    province: str | None = None
    interval_minutes: int = Field(60, ge=1)
    max_age_days: int | None = Field(None, ge=1)
    selectors: Selectors = Field(default_factory=Selectors)
    fields: JsonFields | None = None
    # Optional additions (not in the shared schema, all defaulted):
    url_pattern: str | None = None  # regex an article URL must match (sitemaps, listings)
    notes: str | None = None  # what the entry stands for; ignored by the crawler

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("name must be lower-case letters, digits and dashes")
        return value

    @field_validator("start_urls")
    @classmethod
    def _urls_are_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^(https?://|\{base\})", url):
                raise ValueError(f"start URL {url!r} must start with http://, https:// or {{base}}")
        return urls

    @field_validator("allowed_domains")
    @classmethod
    def _domains_are_hosts(cls, domains: list[str]) -> list[str]:
        cleaned = []
        for domain in domains:
            host = domain.strip().lower()
            if not host or not _HOST.match(host):
                raise ValueError(f"allowed_domains entry {domain!r} must be a bare host name or address "
                                 "(example.org, 127.0.0.1), without scheme, port or path")
            cleaned.append(host)
        return cleaned

    @field_validator("url_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"url_pattern is not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _stays_on_its_domains(self) -> "Source":
        # Without domains every host would be fair game for whatever the pages link to.
        if not self.allowed_domains:
            raise ValueError("allowed_domains must list the hosts this source may fetch from (e.g. [vnexpress.net])")
        for url in self.start_urls:
            host = urlsplit(url).hostname if not url.startswith("{base}") else None
            if host and not on_domain(host, self.allowed_domains):
                raise ValueError(f"start URL {url} is not on the source's allowed_domains ({', '.join(self.allowed_domains)})")
        return self

    @model_validator(mode="after")
    def _spider_needs(self) -> "Source":
        s = self.selectors
        if self.spider == "listing" and not s.links:
            raise ValueError("a listing source needs selectors.links (the article links)")
        if self.spider == "forum" and not (s.threads or s.post):
            raise ValueError("a forum source needs selectors.threads and/or selectors.post")
        if self.spider == "json" and (self.fields is None or not (self.fields.text or self.fields.title)):
            raise ValueError("a json source needs fields with at least text or title")
        return self

    def with_base(self, base: str) -> "Source":
        """The entry with `{base}` in its start URLs replaced (a local or mirror server, whose
        host the source may then fetch from too)."""
        base = base.rstrip("/")
        host = (urlsplit(base).hostname or "").lower()
        domains = self.allowed_domains + ([host] if host and host not in self.allowed_domains else [])
        return self.model_copy(update={"start_urls": [u.replace("{base}", base) for u in self.start_urls],
                                       "allowed_domains": domains})


def packaged_sources_file() -> Path:
    return Path(str(resources.files("crawlers").joinpath("sources.yaml")))


def load_sources(path: Path | None = None) -> list[Source]:
    """Read and validate a sources file; every problem names the file, the source and the field."""
    path = Path(path) if path else packaged_sources_file()
    return parse_sources(read_yaml(path, "Sources file"), str(path))


def parse_sources(raw: Any, where: str = "sources file") -> list[Source]:
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise UserError(f"{where} must have a top-level `sources:` list.")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["sources"], start=1):
        label = entry.get("name") if isinstance(entry, dict) and entry.get("name") else f"entry #{index}"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: {label} must be a mapping of keys, not {type(entry).__name__}.")
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            raise UserError(f"{where}: source {label!s}: {_validation_sentence(exc)}.") from None
        if source.name in seen:
            raise UserError(f"{where}: source {source.name} is declared twice; names must be unique.")
        seen.add(source.name)
        sources.append(source)
    return sources


def select_sources(sources: list[Source], names: list[str] | None) -> list[Source]:
    """The named sources in the order given; an unknown name lists the known ones."""
    if not names:
        return sources
    by_name = {s.name: s for s in sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise UserError(f"Unknown source {', '.join(unknown)}; known sources: {known}.")
    return [by_name[n] for n in dict.fromkeys(names)]


def _validation_sentence(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    message = err["msg"].removeprefix("Value error, ").rstrip(".")
    if err["type"] == "extra_forbidden":
        return f"unknown key `{key}`"
    if err["type"] == "missing":
        return f"missing required key `{key}`"
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    return f"`{key}` {message}{shown}" if key else message
