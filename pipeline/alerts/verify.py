"""Check a dulun webhook before acting on it. Receivers can copy this file: it needs only the
Python standard library.

What dulun sends (POST, JSON body):

    X-Dulun-Timestamp: 1763862000                 # unix seconds when this attempt was sent
    X-Dulun-Delivery:  5f0c...                    # one id per alert and channel, the same on every retry
    X-Dulun-Signature: sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" under the shared secret>

and the body carries the same delivery id as `delivery_id`, so it is signed too.

    from verify import ReplayGuard, WebhookRejected, verify_webhook

    guard = ReplayGuard()                          # one per receiving process

    def handle(body: bytes, headers) -> int:
        try:
            delivery = verify_webhook(body, headers, SECRET)
        except WebhookRejected:
            return 401                             # forged, altered, or older than 5 minutes
        if guard.seen(delivery):
            return 200                             # a replay or a retry already handled: do nothing
        act_on(json.loads(body))
        guard.remember(delivery)
        return 204

The signature makes the body and timestamp tamper-proof, the 5-minute window stops a captured
request from being replayed later, and the delivery id stops it from being replayed within the
window (remember ids for at least the window; a database table works as well as this class).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Mapping

TIMESTAMP_HEADER = "X-Dulun-Timestamp"
DELIVERY_HEADER = "X-Dulun-Delivery"
SIGNATURE_HEADER = "X-Dulun-Signature"
TOLERANCE_S = 300


class WebhookRejected(Exception):
    """The request is not a genuine, fresh dulun webhook; the message says why."""


def signature(secret: str | bytes, timestamp: str, body: bytes) -> str:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def verify_webhook(body: bytes, headers: Mapping[str, str], secret: str | bytes, now: float | None = None,
                   tolerance_s: float = TOLERANCE_S) -> str:
    """The delivery id of a genuine webhook sent within `tolerance_s`; else `WebhookRejected`."""
    folded = {k.lower(): v for k, v in headers.items()}
    timestamp = folded.get(TIMESTAMP_HEADER.lower(), "")
    given = folded.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or not given:
        raise WebhookRejected("missing or malformed signature headers")
    # Compare in constant time, and before anything else looks at the body.
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode()):
        raise WebhookRejected("the signature does not match the body and timestamp")
    age = (time.time() if now is None else now) - int(timestamp)
    if abs(age) > tolerance_s:
        raise WebhookRejected(f"sent {age:+.0f} s from now, outside the {tolerance_s:g} s window (a replay?)")
    try:
        delivery = json.loads(body).get("delivery_id")
    except (ValueError, AttributeError):
        delivery = None
    if not delivery or delivery != folded.get(DELIVERY_HEADER.lower()):
        raise WebhookRejected("the delivery id is missing or differs from the signed one")
    return delivery


class ReplayGuard:
    """Delivery ids handled within the window (older requests fail the timestamp check anyway)."""

    def __init__(self, tolerance_s: float = TOLERANCE_S):
        self.keep_s = 2 * tolerance_s
        self._seen: dict[str, float] = {}

    def seen(self, delivery: str) -> bool:
        return delivery in self._seen

    def remember(self, delivery: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._seen = {d: t for d, t in self._seen.items() if now - t < self.keep_s}
        self._seen[delivery] = now
