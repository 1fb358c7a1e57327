"""Why a page failed, as one short cause string that `dulun status` groups by.

Causes: http_<status>, timeout, robots, robots_unavailable (robots.txt could not be read, so
nothing is fetched from that host), redirect_loop, too_large (a declared, streamed or
decompressed body over the size cap), connection, data_loss, parse_error, empty_body,
download_error, and the guard's refusals (crawlers/guard.py): offsite, scheme,
private_address. Notes that are not failures (the page was stored, but something was off)
use: no_date, encoding_repaired, duplicate_link, duplicate_url_other_source (another source
stored the URL first and keeps it), malformed_markup, legacy_font_encoding (a legacy-font page left unconverted),
legacy_font_converted (TCVN3/VNI text converted to Unicode).
"""
from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error

from crawlers.guard import refusal_of

NOTE_CAUSES = frozenset({"no_date", "encoding_repaired", "duplicate_link", "malformed_markup", "not_modified",
                         "legacy_font_encoding", "legacy_font_converted", "duplicate_url_other_source"})


class AlreadyStored(IgnoreRequest):
    """Raised before download for a URL the store already holds: skipped, not failed."""


def classify(exception: BaseException, url: str | None = None) -> tuple[str, str]:
    """(cause, detail) for an exception that ended a request (at `url`)."""
    refused = refusal_of(exception, url)
    if refused is not None:
        return refused
    detail = f"{type(exception).__name__}: {exception}"[:500]
    if isinstance(exception, HttpError):
        return f"http_{exception.response.status}", f"HTTP {exception.response.status}"
    if isinstance(exception, (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError)):
        return "timeout", detail
    if isinstance(exception, DownloadCancelledError) or _over_size_cap(exception):
        return "too_large", detail
    if isinstance(exception, IgnoreRequest):
        message = str(exception).lower()
        if "robots" in message:
            return "robots", "forbidden by robots.txt"
        if "redirect" in message:
            return "redirect_loop", detail
        if "offsite" in message:
            return "offsite", detail
        return "ignored", detail
    if isinstance(exception, (DownloadConnectionRefusedError, CannotResolveHostError,
                              tx_error.ConnectionRefusedError, tx_error.DNSLookupError,
                              tx_error.ConnectError)):
        return "connection", detail
    if isinstance(exception, ResponseDataLossError):
        return "data_loss", detail
    return "download_error", detail


def _over_size_cap(exception: BaseException) -> bool:
    """Scrapy says "max size" for a declared or streamed body over DOWNLOAD_MAXSIZE, and names
    the setting when a compressed body (a gzip bomb) grows past it while decompressing."""
    message = str(exception).lower()
    return "max size" in message or "download_maxsize" in message
