"""Delivering one alert to one channel: file, e-mail (SMTP + STARTTLS), webhook (HMAC-signed).

Each `deliver_*` returns nothing on success and raises `DeliveryError` with a message that is
safe to store and show: credentials come from environment variables and never appear in it,
and a webhook URL is shown only as scheme://host/… (its user, password, path and query can be
tokens). Webhooks are signed over timestamp and body (`pipeline/alerts/verify.py` is the
receiver's side), never follow redirects, and go over https except to `alerts.own_hosts`.
E-mail never logs in without TLS.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import smtplib
import ssl
import time
import unicodedata
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit
from email.message import EmailMessage
from pathlib import Path
from typing import Mapping

from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from pipeline.alerts import unanswered, verify
from pipeline.alerts.rules import EmailChannel, FileChannel, WebhookChannel
from pipeline.digest.render import write_atomic



class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to log and store."""


def subject(payload: dict) -> str:
    kind = payload.get("kind")
    if kind == unanswered.KIND:
        return unanswered.subject(payload)
    if kind is None:  # a weekly alert made by an earlier version, still in the outbox
        return f"[dulun] {payload['level_name']}: {payload['topic_name']} – {payload['province']} ({payload['period']})"
    if kind == "cooling":
        return f"[dulun] {payload['kind_name']}: {payload['topic_name']} – {payload['province']}"
    return (f"[dulun] {payload['kind_name']} · {payload['level_name']}: {payload['topic_name']} – {payload['province']} "
            f"({payload['stories']} sự việc trong {payload['window_name']})")


def message_text(payload: dict) -> str:
    lines = [subject(payload), "", f"Chủ đề: {payload['topic_name']}", f"Địa bàn: {payload['province']}"]
    if payload.get("kind") == unanswered.KIND:
        lines += unanswered.message_lines(payload)
        lines += ["", f"Quy tắc: {payload['rule']} · Mã cảnh báo: {payload['alert_key']}"]
        return "\n".join(lines) + "\n"
    change = payload["change"]
    if payload.get("kind") is None:
        lines += [f"Tuần: {payload['period']} · Mức: {payload['level_name']}",
                  f"Sự việc: {payload['stories']} · Tin bài: {payload['documents']} · Nguồn: {payload['sources']}"]
    else:
        lines += [f"Phát hiện lúc: {_local(payload['detected_at'])} (giờ Việt Nam) · Mức: {payload['level_name']}",
                  f"Trong {payload['window_name']} qua: {payload['stories']} sự việc · "
                  f"{_count(payload.get('documents'))} tin bài · {_count(payload.get('sources'))} nguồn"]
        if payload.get("tipping_story_published_at"):
            lines.append(f"Tin làm vượt ngưỡng đăng lúc: {_local(payload['tipping_story_published_at'])}")
    lines += [f"So với lịch sử: {change['text']}", "", "Tin tiêu biểu:"]
    for i, h in enumerate(payload["headlines"], 1):
        lines.append(f"{i}. {h['headline']} ({h['outlets']} nguồn)")
        lines.extend(f"   {link['source']}: {link['url']}" for link in h["links"])
    lines += ["", f"Quy tắc: {payload['rule']} · Mã cảnh báo: {payload['alert_key']}"]
    return "\n".join(lines) + "\n"


def _local(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(VN).strftime("%H:%M %d/%m/%Y")


def _count(value) -> str:
    return "?" if value is None else str(value)


def deliver_file(channel: FileChannel, payload: dict, settings: Settings) -> None:
    folder = channel.dir or settings.alert_outbox_dir
    parts = [payload["period"], payload.get("kind"), payload["rule"], payload["topic"], _slug(payload["province"]),
             payload["alert_key"][:10]]
    stem = "_".join(p for p in parts if p)
    try:
        write_atomic(Path(folder) / f"{stem}.json", json.dumps(payload, ensure_ascii=False, indent=2))
        write_atomic(Path(folder) / f"{stem}.txt", message_text(payload))
    except OSError as exc:
        raise DeliveryError(f"cannot write to {folder}: {exc.strerror or exc}") from None


def deliver_email(channel: EmailChannel, payload: dict, settings: Settings, environ: Mapping[str, str]) -> None:
    cfg = settings.alerts
    host, port = channel.host or cfg.smtp_host, channel.port or cfg.smtp_port
    starttls = cfg.smtp_starttls if channel.starttls is None else channel.starttls
    user_env = channel.user_env or cfg.smtp_user_env
    password_env = channel.password_env or cfg.smtp_password_env
    user, password = environ.get(user_env), environ.get(password_env)
    if user and not password:
        raise DeliveryError(f"environment variable {password_env} is not set (the SMTP password for {user_env})")
    message = EmailMessage()
    message["Subject"] = subject(payload)
    message["From"] = channel.sender or cfg.smtp_from
    message["To"] = ", ".join(channel.to)
    message["X-Dulun-Alert"] = payload["alert_key"]
    message.set_content(message_text(payload))
    if user and not starttls:
        raise DeliveryError(f"SMTP {host}:{port}: refusing to send the login of {user_env} without TLS; "
                            "turn starttls on for this relay")
    try:
        with smtplib.SMTP(host, port, timeout=cfg.send_timeout_s) as smtp:
            smtp.ehlo()
            if starttls:
                context = ssl.create_default_context(cafile=str(channel.ca_file) if channel.ca_file else None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if user:
                smtp.login(user, password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise DeliveryError(_redact(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}", user, password)) from None


def webhook_body(payload: dict, delivery_id: str) -> bytes:
    """The JSON body; it carries the delivery id so the signature covers it."""
    return json.dumps({**payload, "delivery_id": delivery_id}, ensure_ascii=False, sort_keys=True).encode("utf-8")


def delivery_id(alert_key: str, channel: str) -> str:
    """One id per alert and channel, the same on every retry, so a receiver can drop repeats."""
    return hashlib.sha256(f"{alert_key}\x1f{channel}".encode("utf-8")).hexdigest()[:32]


def redact_url(url: str) -> str:
    """scheme://host[:port]/… : what a message may say about a webhook URL (user, password,
    path and query can each be a token)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if (parts.path not in ("", "/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that must never appear in a message."""
    parts = urlsplit(url)
    found = [url, parts.netloc if parts.username else None, parts.username, parts.password,
             parts.path if len(parts.path) > 1 else None, parts.query, parts.fragment]
    return sorted({s for s in found if s}, key=len, reverse=True)


def check_webhook_transport(url: str, own_hosts: list[str], name: str) -> None:
    """https, or plain http to one of the operator's own hosts; else one sentence."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or (parts.scheme == "http" and host in {h.strip("[]").lower() for h in own_hosts}):
        return
    raise UserError(f"Alert channel `{name}`: webhook {redact_url(url)} must use https (plain http only to a host "
                    f"listed in alerts.own_hosts: {', '.join(own_hosts) or 'none'}), because the alert and its "
                    "signature would otherwise cross the network readable by anyone on the way.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could send the alert to another host or downgrade https: it fails instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def deliver_webhook(channel: WebhookChannel, payload: dict, settings: Settings, environ: Mapping[str, str],
                    delivery: str, now: float | None = None) -> None:
    secret_env = channel.secret_env or settings.alerts.webhook_secret_env
    secret = environ.get(secret_env)
    if not secret:
        raise DeliveryError(f"environment variable {secret_env} is not set (the webhook signing key)")
    shown, hidden = redact_url(channel.url), url_secrets(channel.url)
    parts = urlsplit(channel.url)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "dulun-alerts/0.1",
               verify.DELIVERY_HEADER: delivery}
    if parts.username is not None:  # credentials in the URL become a Basic header, never part of the address
        token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    address = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, ""))
    body = webhook_body(payload, delivery)
    timestamp = str(int(time.time() if now is None else now))
    headers[verify.TIMESTAMP_HEADER] = timestamp
    headers[verify.SIGNATURE_HEADER] = verify.signature(secret, timestamp, body)
    request = urllib.request.Request(address, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.alerts.send_timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook {shown} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(_redact(f"webhook {shown} unreachable: {reason}", secret, *hidden)) from None


def _redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


def environment() -> Mapping[str, str]:
    return os.environ
