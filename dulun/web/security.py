"""Who may use the workbench, and the protections every response carries.

- Bound to a loopback address, the workbench needs no login (one analyst on their machine).
  Bound to any other address it refuses to start unless authentication is configured:
  users with scrypt-hashed passwords in a file (`dulun user add NAME`), or a reverse proxy that
  authenticates and passes the user in a header, accepted only from the configured proxy
  addresses.
- Sessions are signed cookies: HttpOnly and SameSite=Strict always, Secure whenever the
  workbench is not plain http on loopback (behind a TLS proxy), or as configured.
- Every POST carries a per-session CSRF token; a Content-Security-Policy allows scripts and
  styles from the workbench's own files only (no inline script anywhere); login attempts are
  rate-limited per address and per user name.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError

LOOPBACK_NAMES = ("localhost",)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a click to a crawled site tells it nothing about the workbench
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- passwords and the users file

def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return "scrypt${n}${r}${p}${salt}${hash}".format(
        **SCRYPT, salt=base64.b64encode(salt).decode(), hash=base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


def read_users(path: Path) -> dict[str, str]:
    """name -> stored hash, from `name:hash` lines (# comments and blank lines ignored)."""
    if not path.is_file():
        return {}
    users = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not _NAME.match(name) or not stored.startswith("scrypt$"):
            raise UserError(f"Line {number} of the users file {path} is not `name:scrypt$...`; "
                            "recreate it with `dulun user add NAME`.")
        users[name] = stored
    return users


def add_user(path: Path, name: str, password: str) -> bool:
    """Add or replace a user; returns True when the name was new. The file is private (0600)."""
    if not _NAME.match(name):
        raise UserError(f"User name {name!r} must be 1-64 letters, digits or . _ @ -.")
    if len(password) < 10:
        raise UserError("The password must have at least 10 characters.")
    users = read_users(path)
    new = name not in users
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# dulun workbench users: name:scrypt hash (create with `dulun user add NAME`)\n")
        fh.writelines(f"{n}:{h}\n" for n, h in sorted(users.items()))
    os.replace(tmp, path)
    return new


def remove_user(path: Path, name: str) -> bool:
    users = read_users(path)
    if name not in users:
        return False
    del users[name]
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# dulun workbench users: name:scrypt hash (create with `dulun user add NAME`)\n")
        fh.writelines(f"{n}:{h}\n" for n, h in sorted(users.items()))
    return True


def session_secret(path: Path) -> str:
    """The key that signs session cookies: made once, kept private next to the database."""
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret)
    return secret


# ---------------------------------------------------------------- who is asking

@dataclass
class AuthConfig:
    users_file: Path
    proxy_header: str | None = None          # e.g. X-Forwarded-User, set by the authenticating proxy
    trusted_proxies: tuple[str, ...] = ()    # the only client addresses whose header is believed
    users: dict[str, str] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        if self.proxy_header and self.trusted_proxies:
            return "proxy"
        return "users" if self.users else "none"


def check_can_listen(host: str, auth: AuthConfig) -> None:
    """Anything served binds loopback unless authentication is configured: one sentence if not."""
    if not is_loopback(host) and auth.mode == "none":
        raise UserError(
            f"Refusing to serve on {host} without authentication: add a user with `dulun user add NAME` "
            "(or configure web.proxy_user_header and web.trusted_proxies), or keep the default 127.0.0.1."
        )


def proxy_user(auth: AuthConfig, client_host: str | None, headers) -> str | None:
    """The user a trusted proxy vouches for; None for anyone else (a header from a direct
    client is ignored: anybody can send one)."""
    if client_host is None or client_host not in auth.trusted_proxies:
        return None
    value = headers.get(auth.proxy_header or "", "").strip()
    return value if value and _NAME.match(value) else None


# ---------------------------------------------------------------- CSRF and login attempts

def csrf_token(session: dict) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def csrf_ok(session: dict, sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent and hmac.compare_digest(str(expected), str(sent)))


class LoginLimiter:
    """At most `attempts` failed logins per `window_s` for one client address and for one name."""

    def __init__(self, attempts: int = 5, window_s: float = 600.0):
        self.attempts, self.window_s = attempts, window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def wait_s(self, client: str, name: str) -> float:
        """0 when a try is allowed, else seconds until the oldest failure leaves the window."""
        now = time.monotonic()
        with self._lock:
            worst = 0.0
            for key in (f"ip:{client}", f"user:{name.lower()}"):
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    worst = max(worst, failures[0] + self.window_s - now)
            return worst

    def failed(self, client: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{client}", f"user:{name.lower()}"):
                self._recent(key, now).append(now)

    def succeeded(self, client: str, name: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{name.lower()}", None)
