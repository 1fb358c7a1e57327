"""Alerts for flagged topics: rules, outbox first, delivery by file, e-mail (a real local SMTP
server with STARTTLS and AUTH) and webhook (a real local HTTP receiver checking the HMAC),
never twice, retried with backoff, given up with a reason, secrets never logged.

Alerts come from the rolling detection at `now` (2026-11-23 08:00): the fixture's Hải Phòng
labor wave has five stories (eight documents from five outlets) in the seven days before then;
its first story, published Monday 07:xx, is just outside the window."""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email
import hashlib
import hmac
import json
import logging
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.errors import UserError
from core.settings import AlertSettings, Settings
from pipeline.alerts import alert_key, episode_key, run_alerts
from pipeline.alerts.rules import load_rules
from pipeline.hotspots import run_hotspots
from store import open_reader, open_writer
from store.status import status_report

SMTP_USER, SMTP_PASSWORD = "bantin", "mat-khau-rat-bi-mat-42"
WEBHOOK_SECRET = "khoa-ky-hmac-9f1c"
ENV = {"DULUN_SMTP_USER": SMTP_USER, "DULUN_SMTP_PASSWORD": SMTP_PASSWORD, "DULUN_WEBHOOK_SECRET": WEBHOOK_SECRET}


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def hot_db(timeline_db, now):
    run_hotspots(timeline_db, now=now)
    return timeline_db


def _with_rules(settings: Settings, tmp_path: Path, text: str, **alert_fields) -> Settings:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    fields = {"rules_file": rules, **alert_fields}
    return settings.model_copy(update={"alerts": settings.alerts.model_copy(update=fields)})


def _outbox(settings):
    with open_reader(settings.database) as store:
        return store.con.execute(
            "SELECT o.channel, o.status, o.attempts, o.next_attempt_at, o.last_error, a.rule, a.topic, a.province, a.period "
            "FROM alert_outbox o JOIN alerts a USING (alert_key) ORDER BY o.channel"
        ).df()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextlib.contextmanager
def _smtp(accept_login, **options):
    """aiosmtpd on 127.0.0.1 (a free port); `accept_login(auth_data)` decides each login.
    Yields (port, received messages, login attempts)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received, logins = [], []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = accept_login(auth_data)
        logins.append(ok)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    with socket.socket() as probe:  # a free port (the controller connects to itself to start)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator, **options)
    controller.start()
    try:
        yield port, received, logins
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd on 127.0.0.1 requiring STARTTLS before AUTH, accepting one user."""
    from aiosmtpd.smtp import LoginPassword

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def accept(auth_data):
        return isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_USER \
            and auth_data.password.decode() == SMTP_PASSWORD

    with _smtp(accept, tls_context=context, require_starttls=True, auth_require_tls=True, auth_required=True) as (
            port, received, logins):
        yield {"port": port, "cert": cert, "received": received, "logins": logins}


def _receiver(fail_first: int = 0):
    """A webhook receiver on 127.0.0.1 doing what pipeline/alerts/verify.py tells receivers to do
    (signature, 5-minute window, delivery ids handled once); answers 503 to the first `fail_first`
    genuine posts. It keeps every request it got, so tests can replay them."""
    from pipeline.alerts.verify import ReplayGuard, WebhookRejected, verify_webhook

    state = {"posts": [], "bad_signatures": 0, "duplicates": 0, "calls": 0, "requests": [], "clock": None}
    guard = ReplayGuard()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["calls"] += 1
            state["requests"].append((self.path, dict(self.headers), body))
            try:
                delivery = verify_webhook(body, self.headers, WEBHOOK_SECRET, now=state["clock"])
            except WebhookRejected:
                state["bad_signatures"] += 1
                self.send_response(401)
            else:
                if guard.seen(delivery):
                    state["duplicates"] += 1
                    self.send_response(200)
                elif state["calls"] <= fail_first:
                    self.send_response(503)
                else:
                    state["posts"].append(json.loads(body))
                    guard.remember(delivery)
                    self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


@pytest.fixture
def webhook():
    server, state = _receiver()
    yield {"url": f"http://127.0.0.1:{server.server_port}/hook", **{"state": state}}
    server.shutdown()


@pytest.fixture
def flaky_webhook():
    server, state = _receiver(fail_first=2)
    yield {"url": f"http://127.0.0.1:{server.server_port}/hook", "state": state}
    server.shutdown()


LABOR_RULE = """
  - name: lao-dong
    topics: [labor]
    min_stories: 3
    levels: [new, rising, persistent]
    channels: [{channels}]
"""


# ---------------------------------------------------------------- tests

def test_default_rules_deliver_the_labor_rise_to_the_file_channel_once(hot_db, now):
    summary = run_alerts(hot_db, now=now, environ={})
    assert (summary.detected_at, summary.created, summary.sent) == ("2026-11-23T08:00:00+07:00", 1, 1)
    [json_file] = sorted(hot_db.alert_outbox_dir.glob("*.json"))
    payload = json.loads(json_file.read_text(encoding="utf-8"))
    assert (payload["topic_name"], payload["province"], payload["window_hours"], payload["stories"],
            payload["documents"], payload["sources"]) == ("Lao động, đình công, nợ lương", "Hải Phòng", 168, 5, 8, 5)
    assert payload["change"]["expected_stories"] < 1 and payload["change"]["ratio"] > 5
    assert len(payload["headlines"]) == 5 and all(h["links"] for h in payload["headlines"])
    assert payload["alert_key"] == episode_key("lao-dong-dinh-cong", "labor", "Hải Phòng", 1, "opened")
    assert payload["detected_at"] == "2026-11-23T08:00:00+07:00"
    assert payload["tipping_story_published_at"].startswith("2026-11-21T12:")  # the newest story in the window
    text = json_file.with_suffix(".txt").read_text(encoding="utf-8")
    assert "Hải Phòng" in text and "https://bao-a.example.vn/tin/289.html" in text

    again = run_alerts(hot_db, now=now + dt.timedelta(days=2), environ={})
    assert (again.created, again.sent) == (0, 0)
    assert len(list(hot_db.alert_outbox_dir.glob("*.json"))) == 1
    assert _outbox(hot_db).status.tolist() == ["sent"]


def test_email_goes_through_starttls_and_auth_and_the_password_is_never_logged(hot_db, now, tmp_path, smtp_server, caplog):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-email:
    type: email
    host: 127.0.0.1
    port: {smtp_server['port']}
    starttls: true
    from: dulun@localhost
    to: [ban-thuong-truc@localhost]
    ca_file: {smtp_server['cert']}
rules:{LABOR_RULE.format(channels='board-email')}""")
    with caplog.at_level(logging.DEBUG):
        summary = run_alerts(settings, now=now, environ=ENV)
    assert summary.sent == 1, summary.errors
    assert smtp_server["logins"] == [True]
    [envelope] = smtp_server["received"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert "Hải Phòng" in str(message["Subject"]) and "Lao động" in str(message["Subject"])
    assert "https://bao-a.example.vn/tin/289.html" in message.get_content()
    assert SMTP_PASSWORD not in caplog.text


def test_a_wrong_smtp_password_fails_visibly_without_showing_it(hot_db, now, tmp_path, smtp_server, caplog):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-email: {{type: email, host: 127.0.0.1, port: {smtp_server['port']}, to: [a@localhost], ca_file: {smtp_server['cert']}}}
rules:{LABOR_RULE.format(channels='board-email')}""")
    wrong = {**ENV, "DULUN_SMTP_PASSWORD": "sai-mat-khau-xyz"}
    with caplog.at_level(logging.DEBUG):
        summary = run_alerts(settings, now=now, environ=wrong)
    assert summary.failed == 1 and summary.pending == 1
    row = _outbox(settings).iloc[0]
    assert row.status == "pending" and "SMTPAuthenticationError" in row.last_error
    assert "sai-mat-khau-xyz" not in caplog.text and "sai-mat-khau-xyz" not in row.last_error


def test_email_never_logs_in_without_tls(hot_db, now, tmp_path, caplog):
    """A relay without STARTTLS would get the password in clear text: dulun does not log in there
    (this server would have accepted the plain-text login)."""
    with _smtp(lambda auth_data: True, auth_require_tls=False) as (port, received, logins):
        settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-email: {{type: email, host: 127.0.0.1, port: {port}, starttls: false, to: [a@localhost]}}
rules:{LABOR_RULE.format(channels='board-email')}""")
        with caplog.at_level(logging.DEBUG):
            summary = run_alerts(settings, now=now, environ=ENV)
    assert summary.sent == 0 and logins == [] and received == []
    assert summary.errors == [f"email:board-email: SMTP 127.0.0.1:{port}: refusing to send the login of DULUN_SMTP_USER "
                              "without TLS; turn starttls on for this relay"]
    assert SMTP_PASSWORD not in caplog.text


def test_webhook_is_a_signed_json_post(hot_db, now, tmp_path, webhook):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{webhook['url']}"}}
rules:{LABOR_RULE.format(channels='board-webhook')}""")
    summary = run_alerts(settings, now=now, environ=ENV)
    assert summary.sent == 1 and webhook["state"]["bad_signatures"] == 0
    [post] = webhook["state"]["posts"]
    assert (post["topic"], post["province"], post["kind"], post["level"]) == ("labor", "Hải Phòng", "opened", "rising")
    [(_, headers, _)] = webhook["state"]["requests"]
    assert headers["X-Dulun-Delivery"] == post["delivery_id"] and headers["X-Dulun-Signature"].startswith("sha256=")


def test_a_captured_webhook_replayed_later_or_altered_is_refused_and_never_acted_on_twice(hot_db, now, tmp_path, webhook):
    import time
    import urllib.error
    import urllib.request

    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{webhook['url']}"}}
rules:{LABOR_RULE.format(channels='board-webhook')}""")
    assert run_alerts(settings, now=now, environ=ENV).sent == 1
    state = webhook["state"]
    [(path, headers, body)] = state["requests"]

    def replay(new_body=body, **changed):
        sent = {k: v for k, v in headers.items() if k.lower().startswith(("x-dulun", "content-type"))}
        request = urllib.request.Request(webhook["url"], data=new_body, method="POST", headers={**sent, **changed})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert replay() == 200 and state["duplicates"] == 1  # at once: recognised, not acted on again
    assert replay(body.replace("Hải Phòng".encode(), "Hà Nội".encode())) == 401  # altered body
    fresh = str(int(headers["X-Dulun-Timestamp"]) + 60)
    assert replay(**{"X-Dulun-Timestamp": fresh}) == 401  # a fresher timestamp on the old signature
    assert replay(**{"X-Dulun-Delivery": "f" * 32}) == 401  # a new id to slip past the duplicate check
    state["clock"] = time.time() + 6 * 60
    assert replay() == 401  # six minutes later: outside the window
    assert len(state["posts"]) == 1 and state["bad_signatures"] == 4


def test_webhooks_need_https_except_to_the_operators_own_hosts(hot_db, now, tmp_path):
    settings = _with_rules(hot_db, tmp_path, """
channels:
  board-webhook: {type: webhook, url: "http://hooks.example.org/services/T0001/B0002/XoXoSeCrEtToKeN"}
rules:""" + LABOR_RULE.format(channels="board-webhook"))
    with pytest.raises(UserError) as info:
        run_alerts(settings, now=now, environ=ENV)
    message = str(info.value)
    assert "Alert channel `board-webhook`: webhook http://hooks.example.org/… must use https" in message
    assert "XoXoSeCrEtToKeN" not in message and "alerts.own_hosts" in message
    own = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"own_hosts": ["hooks.example.org"]})})
    from pipeline.alerts import channels

    channels.check_webhook_transport("http://hooks.example.org/x", own.alerts.own_hosts, "board-webhook")  # listed: allowed


def test_webhook_credentials_and_tokens_never_reach_the_log_the_outbox_or_status(hot_db, now, tmp_path, webhook, caplog):
    from dulun.commands.basics import print_status

    port = webhook["url"].split(":")[2].split("/")[0]
    secrets = ("nguoi-nhan", "mat-khau-url-77", "T0001", "duong-dan-bi-mat-55", "tham-so-bi-mat-66")
    url = f"http://nguoi-nhan:mat-khau-url-77@127.0.0.1:{port}/hook/T0001/duong-dan-bi-mat-55?token=tham-so-bi-mat-66"
    unreachable = url.replace(f":{port}/", ":9/")
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{url}"}}
  dead-webhook: {{type: webhook, url: "{unreachable}"}}
rules:{LABOR_RULE.format(channels='board-webhook, dead-webhook')}""", send_timeout_s=2.0)
    with caplog.at_level(logging.DEBUG):
        summary = run_alerts(settings, now=now, environ=ENV)
    assert summary.sent == 1 and summary.failed == 1
    [(path, headers, _)] = webhook["state"]["requests"]
    assert path == "/hook/T0001/duong-dan-bi-mat-55?token=tham-so-bi-mat-66"  # the receiver still gets them all
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"nguoi-nhan:mat-khau-url-77").decode()
    errors = " ".join(summary.errors)
    assert "webhook http://127.0.0.1:9/… unreachable" in errors
    with open_reader(settings.database) as store:
        report = status_report(store.con)
    from dulun.commands import basics as commands

    with commands.console.capture() as shown:
        print_status(report, str(settings.database))
    stored = " ".join(str(v) for row in report.outbox for v in row)
    for secret in secrets:
        for where, text in (("log", caplog.text), ("outbox", stored), ("status", shown.get()), ("errors", errors)):
            assert secret not in text, (secret, where)


def test_a_receiver_that_fails_twice_gets_it_on_the_third_try_with_growing_waits(hot_db, now, tmp_path, flaky_webhook):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{flaky_webhook['url']}"}}
rules:{LABOR_RULE.format(channels='board-webhook')}""", retry_base_s=60.0, max_attempts=5)
    first = run_alerts(settings, now=now, environ=ENV)
    assert (first.created, first.failed, first.pending) == (1, 1, 1)
    row = _outbox(settings).iloc[0]
    assert row.attempts == 1 and "HTTP 503" in row.last_error
    assert row.next_attempt_at.to_pydatetime() == now + dt.timedelta(seconds=60)
    with open_reader(settings.database) as store:  # `dulun status` shows it waiting, with its error
        assert [(c, s) for c, s, *_ in status_report(store.con).outbox] == [("webhook:board-webhook", "pending")]

    too_soon = run_alerts(settings, now=now + dt.timedelta(seconds=30), environ=ENV)
    assert (too_soon.sent, too_soon.failed) == (0, 0)  # backoff: not due yet
    second = run_alerts(settings, now=now + dt.timedelta(seconds=61), environ=ENV)
    assert second.failed == 1
    row = _outbox(settings).iloc[0]
    assert row.attempts == 2 and row.next_attempt_at.to_pydatetime() == now + dt.timedelta(seconds=61 + 120)
    third = run_alerts(settings, now=now + dt.timedelta(seconds=200), environ=ENV)
    assert third.sent == 1 and third.pending == 0
    assert len(flaky_webhook["state"]["posts"]) == 1 and flaky_webhook["state"]["calls"] == 3
    assert _outbox(settings).iloc[0].status == "sent"


def test_an_unreachable_receiver_is_given_up_with_a_reason_after_max_attempts(hot_db, now, tmp_path):
    settings = _with_rules(hot_db, tmp_path, """
channels:
  board-webhook: {type: webhook, url: "http://127.0.0.1:9/hook"}
rules:""" + LABOR_RULE.format(channels="board-webhook"), retry_base_s=0.0, max_attempts=3, send_timeout_s=2.0)
    for i in range(4):
        run_alerts(settings, now=now + dt.timedelta(minutes=i), environ=ENV)
    row = _outbox(settings).iloc[0]
    assert row.status == "gave_up" and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts: webhook http://127.0.0.1:9/… unreachable")


def test_a_missing_secret_is_a_clear_delivery_error(hot_db, now, tmp_path, webhook):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{webhook['url']}", secret_env: DULUN_HOOK_KEY}}
rules:{LABOR_RULE.format(channels='board-webhook')}""")
    summary = run_alerts(settings, now=now, environ={})
    assert summary.errors == ["webhook:board-webhook: environment variable DULUN_HOOK_KEY is not set (the webhook signing key)"]


def test_quiet_hours_hold_delivery_until_they_end(hot_db, tmp_path):
    settings = _with_rules(hot_db, tmp_path, """
channels: {board-file: {type: file}}
rules:
  - {name: lao-dong, topics: [labor], quiet_hours: "22:00-06:00", channels: [board-file]}
""")
    night = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    held = run_alerts(settings, now=night, environ={})
    assert (held.created, held.sent, held.pending) == (1, 0, 1)
    assert _outbox(settings).iloc[0].next_attempt_at.to_pydatetime() == night.replace(day=24, hour=6, minute=0)
    morning = run_alerts(settings, now=night.replace(day=24, hour=6, minute=5), environ={})
    assert morning.sent == 1


def test_a_retry_that_would_fall_in_quiet_hours_waits_until_they_end(hot_db, tmp_path, flaky_webhook):
    settings = _with_rules(hot_db, tmp_path, f"""
channels:
  board-webhook: {{type: webhook, url: "{flaky_webhook['url']}"}}
rules:
  - {{name: lao-dong, topics: [labor], quiet_hours: "22:00-06:00", channels: [board-webhook]}}
""", retry_base_s=1800.0, max_attempts=5)
    evening = dt.datetime(2026, 11, 23, 21, 50, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    first = run_alerts(settings, now=evening, environ=ENV)
    assert (first.created, first.failed, first.pending) == (1, 1, 1)  # tried before 22:00, the receiver failed
    # Half an hour later is 22:20, inside quiet hours: the retry waits for 06:00, not for 22:20.
    assert _outbox(settings).iloc[0].next_attempt_at.to_pydatetime() == evening.replace(day=24, hour=6, minute=0)
    assert run_alerts(settings, now=evening.replace(hour=22, minute=30), environ=ENV).failed == 0
    assert flaky_webhook["state"]["calls"] == 1


def test_keywords_provinces_and_thresholds_select_cells(hot_db, now, tmp_path):
    def created(rule: str) -> int:
        settings = _with_rules(hot_db, tmp_path, "channels: {f: {type: file}}\nrules:\n" + rule)
        return run_alerts(settings, now=now, environ={}).created

    assert created('  - {name: a, topics: [labor], keywords: ["NỢ LƯƠNG"], channels: [f]}') == 1
    assert created('  - {name: b, topics: [labor], keywords: ["biểu tình"], channels: [f]}') == 0
    assert created('  - {name: c, topics: [labor], provinces: ["Hà Nội"], channels: [f]}') == 0
    assert created('  - {name: d, topics: [labor], min_stories: 7, channels: [f]}') == 0
    assert created('  - {name: e, topics: [labor], levels: [persistent], channels: [f]}') == 0
    assert created('  - {name: g, topics: [land, labor], min_score: 3, channels: [f]}') == 1


def _earlier_alert(settings, rule: str, period: str, created_at: dt.datetime) -> None:
    import pandas as pd
    from store.alerts import insert_alerts

    key = alert_key(rule, "labor", "Hải Phòng", period)
    # A weekly alert of an earlier version: no kind, episode or detection time.
    alerts = pd.DataFrame([{"alert_key": key, "rule": rule, "topic": "labor", "province": "Hải Phòng", "period": period,
                            "created_at": created_at, "payload": "{}", "kind": None, "episode_id": None,
                            "detected_at": None, "tipping_published_at": None}])
    with open_writer(settings.database) as store:
        insert_alerts(store.con, alerts,
                      pd.DataFrame(columns=["alert_key", "channel", "status", "next_attempt_at", "reason"]))


@pytest.mark.parametrize("cooldown_hours, created", [(48, 0), (12, 1)])
def test_cooldown_holds_back_a_new_period_for_the_same_rule_and_place(hot_db, now, tmp_path, cooldown_hours, created):
    settings = _with_rules(hot_db, tmp_path, f"""
channels: {{f: {{type: file}}}}
rules:
  - {{name: lao-dong, topics: [labor], cooldown_hours: {cooldown_hours}, channels: [f]}}
""")
    _earlier_alert(settings, "lao-dong", "2026-W46", now - dt.timedelta(hours=24))  # alerted yesterday
    assert run_alerts(settings, now=now, environ={}).created == created


@pytest.mark.parametrize("text, message", [
    ("rules: []", "`rules` List should have at least 1 item"),
    ("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topics: [labour], channels: [f]}",
     "Alert rule `lao-dong` in .*: unknown topic `labour`"),
    ("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topics: [labor], channels: [email]}",
     "Alert rule `lao-dong` in .*: channel `email` is not defined"),
    ("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topics: [labor], quiet_hours: '10pm', channels: [f]}",
     "Alert rule `lao-dong` in .*: `quiet_hours` Value error, use \"HH:MM-HH:MM\""),
    ("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topics: [labor], min_stories: 0, channels: [f]}",
     "Alert rule `lao-dong` .*`min_stories` Input should be greater than or equal to 1"),
    ("channels: {f: {type: file}}\nrules:\n  - {name: lao-dong, topic: [labor], channels: [f]}",
     "Alert rule `lao-dong` .*`topic` unknown field"),
    ("channels: {m: {type: email, to: [nobody]}}\nrules:\n  - {name: x, topics: [labor], channels: [m]}",
     "Alert channel `m` .*`to` Value error, not an e-mail address"),
    ("rules: [unclosed", "not valid YAML"),
])
def test_bad_rules_are_user_errors_naming_the_rule(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_rules(path)


def test_the_shipped_rules_are_valid():
    rules = load_rules(None)
    assert {"labor", "land", "environment", "public_order"} <= {t for r in rules.rules for t in r.topics}
    assert all(rules.channels[c].type == "file" for r in rules.rules for c in r.channels)
