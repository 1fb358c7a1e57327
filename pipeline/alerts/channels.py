"""Delivering one alert to one channel: file, e-mail (SMTP + STARTTLS), webhook (HMAC-signed).

Each `deliver_*` returns nothing on success and raises `DeliveryError` with a message that is
safe to store and show: credentials come from environment variables and never appear in it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import smtplib
import ssl
import unicodedata
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Mapping

from core.settings import Settings
from pipeline.alerts.rules import EmailChannel, FileChannel, WebhookChannel
from pipeline.digest.render import write_atomic

SIGNATURE_HEADER = "X-Dulun-Signature"


class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to log and store."""


def subject(payload: dict) -> str:
    return f"[dulun] {payload['level_name']}: {payload['topic_name']} – {payload['province']} ({payload['period']})"


def message_text(payload: dict) -> str:
    change = payload["change"]
    lines = [
        subject(payload),
        "",
        f"Chủ đề: {payload['topic_name']}",
        f"Địa bàn: {payload['province']}",
        f"Tuần: {payload['period']} · Mức: {payload['level_name']}",
        f"Sự việc: {payload['stories']} · Tin bài: {payload['documents']} · Nguồn: {payload['sources']}",
        f"So với lịch sử: {change['text']}",
        "",
        "Tin tiêu biểu:",
    ]
    for i, h in enumerate(payload["headlines"], 1):
        lines.append(f"{i}. {h['headline']} ({h['outlets']} nguồn)")
        lines.extend(f"   {link['source']}: {link['url']}" for link in h["links"])
    lines += ["", f"Quy tắc: {payload['rule']} · Mã cảnh báo: {payload['alert_key']}"]
    return "\n".join(lines) + "\n"


def deliver_file(channel: FileChannel, payload: dict, settings: Settings) -> None:
    folder = channel.dir or settings.alert_outbox_dir
    stem = "_".join([payload["period"], payload["rule"], payload["topic"], _slug(payload["province"]), payload["alert_key"][:10]])
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


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def deliver_webhook(channel: WebhookChannel, payload: dict, settings: Settings, environ: Mapping[str, str]) -> None:
    secret_env = channel.secret_env or settings.alerts.webhook_secret_env
    secret = environ.get(secret_env)
    if not secret:
        raise DeliveryError(f"environment variable {secret_env} is not set (the webhook signing key)")
    body = webhook_body(payload)
    request = urllib.request.Request(
        channel.url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(body, secret),
                 "User-Agent": "dulun-alerts/0.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.alerts.send_timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook {channel.url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(_redact(f"webhook {channel.url} unreachable: {reason}", secret)) from None


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
