"""Who may use the workbench: loopback by default, a refusal in one sentence on any other
address without authentication, scrypt-hashed users with a rate-limited login and Secure,
HttpOnly, SameSite=Strict session cookies, a reverse proxy believed only from its own address,
CSRF tokens on every POST (login included) and no DNS-rebinding on loopback."""
from __future__ import annotations

import re

import pytest

from dulun.web.security import add_user, hash_password, read_users, verify_password

from web_support import Client, serve

PASSWORD = "một mật khẩu đủ dài"


def test_serving_beyond_loopback_without_authentication_is_refused_in_one_sentence(tmp_path, dulun_cli):
    env = {"DULUN_DATA_DIR": str(tmp_path / "data")}
    assert dulun_cli("init", env=env).returncode == 0
    result = dulun_cli("serve", "--host", "0.0.0.0", env=env, timeout=60)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "Refusing to serve on 0.0.0.0 without authentication" in message
    assert "Traceback" not in result.stderr and message.endswith(".")
    assert not re.search(r"[.!?]\s+[A-Z]", message), message  # one sentence


def test_passwords_are_stored_as_scrypt_hashes_by_the_user_command(tmp_path, dulun_cli):
    env = {"DULUN_DATA_DIR": str(tmp_path / "data")}
    result = dulun_cli("user", "add", "lan", "--password-stdin", env=env, input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    users_file = tmp_path / "data" / "web_users.txt"
    assert PASSWORD not in users_file.read_text(encoding="utf-8")
    assert oct(users_file.stat().st_mode & 0o777) == "0o600"
    stored = read_users(users_file)["lan"]
    assert verify_password(PASSWORD, stored) and not verify_password("sai mật khẩu", stored)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted
    short = dulun_cli("user", "add", "binh", "--password-stdin", env=env, input="ngắn\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr


@pytest.fixture(scope="module")
def with_users(workbench_settings, tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "web_users.txt"
    add_user(users, "lan", PASSWORD)
    settings = workbench_settings.model_copy(update={"web": workbench_settings.web.model_copy(update={"users_file": users})})
    with serve(settings, bound_host="0.0.0.0", index=False) as server:
        yield server


def _login(client: Client, password: str, token: str | None = None):
    token = token if token is not None else client.csrf("/login")
    return client.post("/login", {"csrf": token, "user": "lan", "password": password, "next": "/map"})


def test_with_users_every_page_asks_for_a_login_and_the_session_cookie_is_secure_httponly_strict(with_users):
    client = Client(with_users.base)
    reply = client.get("/search?q=x")
    assert reply.status == 303 and reply.headers["location"].startswith("/login?next=")
    # The login form's session cookie is Secure (this workbench is meant to sit behind TLS), so
    # this plain-http test client carries it by hand.
    form = client.get("/login")
    client.extra_cookie = form.set_cookies[0].split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    assert _login(client, PASSWORD, token="").status == 403  # no CSRF token: refused before the password
    reply = _login(client, PASSWORD, token)
    assert reply.status == 303 and reply.headers["location"] == "/map"
    cookie = reply.set_cookies[0]
    for flag in ("httponly", "secure", "samesite=strict"):
        assert flag in cookie.lower(), cookie
    client.extra_cookie = cookie.split(";")[0]
    assert client.get("/map").status == 200


def test_login_attempts_are_rate_limited(with_users):
    client = Client(with_users.base)
    form = client.get("/login")
    client.extra_cookie = form.set_cookies[0].split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    statuses = [_login(client, "sai mật khẩu", token).status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _login(client, PASSWORD, token).status == 429  # even the right password waits now


@pytest.fixture(scope="module")
def behind_proxy(workbench_settings):
    settings = workbench_settings.model_copy(update={"web": workbench_settings.web.model_copy(
        update={"proxy_user_header": "X-Forwarded-User", "trusted_proxies": ["127.0.0.1"]})})
    with serve(settings, bound_host="0.0.0.0", index=False) as server:
        yield server


def test_a_reverse_proxy_user_header_is_believed_only_from_the_trusted_address(behind_proxy, workbench_settings):
    client = Client(behind_proxy.base)
    assert client.get("/alerts", headers={"X-Forwarded-User": "lan"}).status == 200
    assert client.get("/alerts").status == 403
    settings = workbench_settings.model_copy(update={"web": workbench_settings.web.model_copy(
        update={"proxy_user_header": "X-Forwarded-User", "trusted_proxies": ["10.0.0.7"]})})
    with serve(settings, bound_host="0.0.0.0", index=False) as untrusted:
        assert Client(untrusted.base).get("/alerts", headers={"X-Forwarded-User": "lan"}).status == 403


def test_on_loopback_a_foreign_host_name_is_refused(client):
    assert client.get("/", headers={"Host": "attacker.example"}).status == 400
    assert client.get("/", headers={"Host": "localhost"}).status == 200
