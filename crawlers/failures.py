"""Why a page failed, as one short cause string that `dulun status` groups by.

Causes: http_<status>, timeout, robots, redirect_loop, too_large, connection, data_loss,
offsite, parse_error, empty_body, download_error. Notes that are not failures (the page was
stored, but something was off) use: no_date, encoding_repaired, duplicate_link,
malformed_markup, legacy_font_encoding (a legacy-font page left unconverted),
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

NOTE_CAUSES = frozenset({"no_date", "encoding_repaired", "duplicate_link", "malformed_markup", "not_modified",
                         "legacy_font_encoding", "legacy_font_converted"})


class AlreadyStored(IgnoreRequest):
    """Raised before download for a URL the store already holds: skipped, not failed."""


def classify(exception: BaseException) -> tuple[str, str]:
    """(cause, detail) for an exception that ended a request."""
    detail = f"{type(exception).__name__}: {exception}"[:500]
    if isinstance(exception, HttpError):
        return f"http_{exception.response.status}", f"HTTP {exception.response.status}"
    if isinstance(exception, (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError)):
        return "timeout", detail
    if isinstance(exception, DownloadCancelledError) or "max size" in str(exception).lower():
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
