"""Post authors are hashed with a salt that lives outside the database."""
from __future__ import annotations

import stat

from crawlers.salt import author_salt


def test_salt_is_created_once_private_and_reused(tmp_path):
    first = author_salt(tmp_path, environ={})
    path = tmp_path / "author_salt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert author_salt(tmp_path, environ={}) == first and len(first) >= 32


def test_environment_salt_wins(tmp_path):
    assert author_salt(tmp_path, environ={"DULUN_AUTHOR_SALT": "s3cret"}) == b"s3cret"
    assert not (tmp_path / "author_salt").exists()
