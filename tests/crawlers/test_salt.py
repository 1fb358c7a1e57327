"""Post authors become pseudonyms for one ISO week and one source, under a key that lives
outside the data folder, is never empty or short, and is the only one a database accepts."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawlers.salt import KEY_FILE, author_key
from core.errors import UserError
from core.settings import Settings
from core.records import author_hash

REPO = Path(__file__).resolve().parents[2]
KEY = b"k" * 32


def test_the_key_is_created_once_private_and_reused(tmp_path):
    secrets_dir = tmp_path / "data-secrets"
    first = author_key(secrets_dir, environ={})
    path = secrets_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert len(first.key) >= 32 and author_key(secrets_dir, environ={}).key == first.key
    assert first.origin == str(path) and first.key.decode() not in repr(first)
    assert list(secrets_dir.iterdir()) == [path]  # no temporary file left behind


def test_the_key_lives_beside_the_data_folder_not_in_it(tmp_path):
    assert Settings(data_dir=tmp_path / "data").secrets_path == tmp_path / "data-secrets"
    assert Settings(data_dir=tmp_path / "data", secrets_dir=tmp_path / "vault").secrets_path == tmp_path / "vault"


def test_the_environment_key_wins_and_a_short_key_is_refused(tmp_path):
    key = author_key(tmp_path, environ={"DULUN_AUTHOR_SALT": "s" * 40})
    assert key.key == b"s" * 40 and not (tmp_path / KEY_FILE).exists()
    with pytest.raises(UserError, match=r"DULUN_AUTHOR_SALT is 6 bytes; it must be at least 32"):
        author_key(tmp_path, environ={"DULUN_AUTHOR_SALT": "s3cret"})


def test_an_empty_key_file_left_by_a_crash_is_refused_not_used(tmp_path):
    (tmp_path / KEY_FILE).write_bytes(b"")  # what the old two-step write left after a crash
    with pytest.raises(UserError, match=r"is 0 bytes; it must be at least 32"):
        author_key(tmp_path, environ={})


@pytest.mark.slow
def test_a_write_killed_midway_leaves_no_key_and_the_next_run_makes_a_whole_one(tmp_path):
    # The process dies (SIGKILL, no cleanup) once the file is created, before a byte of the key is
    # written: the old create-then-write left an empty key file here, which everyone can compute.
    script = textwrap.dedent(f"""
        import os, signal
        os.fdopen = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        from crawlers.salt import author_key
        author_key({str(tmp_path)!r}, environ={{}})
    """)
    died = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=_env())
    assert died.returncode == -9
    assert not (tmp_path / KEY_FILE).exists()
    assert len(author_key(tmp_path, environ={}).key) == 64


@pytest.mark.slow
def test_crawl_children_racing_to_create_the_key_all_get_the_same_one(tmp_path):
    script = f"from crawlers.salt import author_key; print(author_key({str(tmp_path)!r}, environ={{}}).key.decode())"
    children = [subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=_env(), stdout=subprocess.PIPE, text=True)
                for _ in range(6)]
    keys = {child.communicate()[0].strip() for child in children}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]


def test_a_pseudonym_holds_for_one_week_and_one_source_only():
    same = author_hash("Nguyễn Văn A", KEY, "2026-W47", "voz-diem-bao")
    assert author_hash(" nguyễn văn a ", KEY, "2026-W47", "voz-diem-bao") == same  # same voice, same week
    assert author_hash("Nguyễn Văn A", KEY, "2026-W48", "voz-diem-bao") != same  # next week: unlinkable
    assert author_hash("Nguyễn Văn A", KEY, "2026-W47", "dien-dan-khac") != same  # another site: unlinkable
    assert author_hash("Nguyễn Văn A", b"x" * 32, "2026-W47", "voz-diem-bao") != same


@pytest.mark.slow
def test_a_database_refuses_a_second_key(tmp_path, monkeypatch):
    from crawlers.api import crawl

    from .conftest import NOW, fast_settings, write_sources
    from .trouble_site import many_articles_site

    settings = fast_settings(tmp_path / "data")
    with many_articles_site(1, delay_s=0) as site:
        sources_file = write_sources(tmp_path / "sources.yaml", [
            {"name": "bao", "spider": "feed", "kind": "press", "start_urls": [f"{site.base}/feed.rss"],
             "allowed_domains": ["127.0.0.1"]}])
        crawl(settings, sources_file=sources_file, now=NOW)  # the first key: created and remembered
        with monkeypatch.context() as patched:
            patched.setenv("DULUN_AUTHOR_SALT", "a-different-key-of-at-least-32-bytes!!")
            with pytest.raises(UserError, match=r"is not the one this database was built with .* count every voice twice"):
                crawl(settings, sources_file=sources_file, now=NOW)
        assert crawl(settings, sources_file=sources_file, now=NOW)[0].status == "ok"  # the original key again


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO))
