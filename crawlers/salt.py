"""The author salt: the key that turns a post author into an unlinkable hash.

Read from env `DULUN_AUTHOR_SALT`, else created once as `<data_dir>/author_salt` (mode 0600)
and reused, so the same voice hashes the same way across runs without the salt ever living
in the database it protects.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping

SALT_ENV = "DULUN_AUTHOR_SALT"


def author_salt(data_dir: Path, environ: Mapping[str, str] | None = None) -> bytes:
    environ = os.environ if environ is None else environ
    if environ.get(SALT_ENV):
        return environ[SALT_ENV].encode("utf-8")
    path = Path(data_dir) / "author_salt"
    if path.is_file():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two processes racing to create it keep whichever salt landed first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(salt)
    return salt
