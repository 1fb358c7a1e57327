"""The author key: what turns a post author into a pseudonym for one ISO week and one source.

Pseudonyms are HMAC(key, week | source | author) (`core.records.author_hash`): enough to count
distinct voices in a week, which is every count dulun shows, and useless for following one
person across weeks or sites.

The key comes from `DULUN_AUTHOR_SALT`, else from `<secrets_dir>/author_key`, created once:
written to a temporary file, fsynced, then hard-linked into place, so a crash or a full disk
never leaves an empty or partial key (which anyone could compute) and two crawl children
racing to create it both end up with the one that landed first. It lives outside the data
folder by default (settings `secrets_dir`), so copies of the data folder (backups, exports,
an analyst's copy) never carry it. Keys shorter than 32 bytes are refused.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from core.errors import UserError
from core.records import author_hash
from core.timeutil import VN, week_label
from store.keys import record_fingerprint, recorded_fingerprint

SALT_ENV = "DULUN_AUTHOR_SALT"
KEY_FILE = "author_key"
LEGACY_FILE = "author_salt"  # where versions before the secrets folder kept it: <data_dir>/author_salt
MIN_KEY_BYTES = 32
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorKey:
    key: bytes = field(repr=False)  # never in a log or a traceback
    origin: str = ""  # where it came from, for messages

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it: the database remembers it to refuse another key."""
        return hmac.new(self.key, b"dulun author key fingerprint v1", hashlib.sha256).hexdigest()[:16]


def author_key(secrets_dir: Path, environ: Mapping[str, str] | None = None) -> AuthorKey:
    """The key from the environment, else the key file (created the first time)."""
    environ = os.environ if environ is None else environ
    if environ.get(SALT_ENV):
        return _checked(environ[SALT_ENV].encode("utf-8"), f"the environment variable {SALT_ENV}")
    path = Path(secrets_dir) / KEY_FILE
    if not path.exists():
        _create_key(path)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise UserError(f"Cannot read the author key {path}: {exc.strerror or exc}.") from None
    return _checked(key, str(path))


def warn_about_legacy_salt(data_dir: Path) -> None:
    legacy = Path(data_dir) / LEGACY_FILE
    if legacy.exists():
        log.warning("An old author salt is still in the data folder (%s); dulun no longer uses it. Delete it, so "
                    "copies of the data folder do not carry it.", legacy)


def _checked(key: bytes, origin: str) -> AuthorKey:
    if len(key) < MIN_KEY_BYTES:
        raise UserError(
            f"The author key from {origin} is {len(key)} bytes; it must be at least {MIN_KEY_BYTES} "
            "(make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return AuthorKey(key, origin)


def _create_key(path: Path) -> None:
    """Write a new random key so that `path` either does not exist or holds a whole key."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise UserError(f"Cannot create the author key in {path.parent}: {exc.strerror or exc}; set `secrets_dir` "
                        f"to a writable folder or {SALT_ENV}.") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_hex(32).encode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
        _publish(Path(temporary), path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise UserError(f"Cannot write the author key {path}: {exc.strerror or exc}.") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def _publish(temporary: Path, path: Path) -> None:
    """Give the finished file its name unless another process already did (a link never
    replaces an existing name, a rename would)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another crawl child won the race: everyone uses its key
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        if not path.exists():  # a file system without hard links: rename, with a tiny race window
            os.replace(temporary, path)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def author_pseudonym(name: str | None, key: bytes, published: dt.datetime, source: str) -> str | None:
    """What a post's author becomes, at parse time (a raw name never reaches an item or a log):
    a pseudonym holding for the ISO week (Asia/Ho_Chi_Minh) the post was published in and this
    source. The spiders and `dulun import` both call this, so an imported author counts as the
    same voice as the crawled one."""
    from crawlers.extract import nfc

    name = nfc(name)
    if not name:
        return None
    return author_hash(name, key, week_label(published.astimezone(VN).date()), source)


def check_author_key(con, key: AuthorKey) -> None:
    """The first key a database sees is the only one it accepts: a second key would give every
    author a second pseudonym and silently double every distinct-voice count."""
    known = recorded_fingerprint(con, "author_key")
    if known is None:
        record_fingerprint(con, "author_key", key.fingerprint)
    elif known != key.fingerprint:
        raise UserError(
            f"The author key from {key.origin} (fingerprint {key.fingerprint}) is not the one this database was "
            f"built with (fingerprint {known}); a second key would count every voice twice, so restore the original "
            "key or start a new database."
        )
