"""`dulun import FILE`: JSONL documents stored like a crawl stores them: the same URL is the same
row, an author becomes the pseudonym a crawled author gets (never stored raw), a bad line is
reported with its number and reason (and kept in fetch_failures) while every good line is
imported."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.importer import import_file
from crawlers.salt import author_key, author_pseudonym
from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from store import open_reader

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=VN)
AUTHOR = "Nguyễn Văn Hùng"


def _line(i: int, **changes) -> dict:
    line = {"url": f"https://baohaiphong.example.vn/xa-hoi/bai-{i}.html", "title": f"Công nhân ngừng việc {i}",
            "sapo": "Tóm tắt.", "text": f"Nội dung bài {i}.", "published_at": f"2026-11-19T0{i % 10}:15:00+07:00",
            "source": "baohaiphong-xa-hoi", "kind": "press"}
    line.update(changes)
    return {k: v for k, v in line.items() if v is not None}


def _write(path: Path, lines: list) -> Path:
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l, ensure_ascii=False)) + "\n" for l in lines),
                    encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_good_lines_are_imported_and_each_bad_line_is_named_with_its_reason(settings, tmp_path):
    lines = [
        _line(1),
        "{not json",
        _line(2, published_at="2026-11-19T09:15:00"),                      # no zone
        _line(3, text=None),                                               # missing field
        _line(4, kind="blog"),
        _line(5, url="javascript:alert(1)"),
        _line(6, kind="post", author=AUTHOR, fetched_at="2026-11-19T10:00:00+07:00", extra="ignored"),
        "",                                                                # blank lines are skipped
        ["a", "list"],
    ]
    summary = import_file(settings, _write(tmp_path / "in.jsonl", lines), now=NOW)
    assert (summary.lines, summary.inserted) == (8, 2)
    reasons = {p.line: p.reason for p in summary.problems}
    assert reasons[2].startswith("not JSON") and reasons[9] == "not a JSON object"
    assert "`published_at`: needs its time zone" in reasons[3]
    assert reasons[4] == "`text` is missing"
    assert "`kind`" in reasons[5] and "'blog'" in reasons[5]
    assert "`url`" in reasons[6]
    assert "line 3: `published_at`" in str(summary)
    with open_reader(settings.database) as store:
        docs = store.con.execute("SELECT source, kind, lead, fetched_at, author_hash FROM documents ORDER BY url").fetchall()
        failures = store.con.execute("SELECT cause, detail FROM fetch_failures ORDER BY detail").fetchall()
        everything = str(store.con.execute("SELECT * FROM documents").fetchall())
    assert docs[0][:4] == ("baohaiphong-xa-hoi", "press", "Tóm tắt.", NOW)  # fetched_at defaults to now
    assert docs[1][3] == dt.datetime(2026, 11, 19, 10, 0, tzinfo=VN)
    key = author_key(settings.secrets_path)
    crawled = author_pseudonym(AUTHOR, key.key, dt.datetime(2026, 11, 19, 6, 15, tzinfo=VN), "baohaiphong-xa-hoi")
    assert docs[1][4] == crawled and AUTHOR not in everything  # the crawler's pseudonym, never the name
    assert len(failures) == 6 and all(cause == "bad_import_line" for cause, _ in failures)
    assert failures[0][1].startswith("in.jsonl:")


def test_importing_again_is_idempotent_and_a_changed_text_updates_the_row(settings, tmp_path):
    path = _write(tmp_path / "in.jsonl", [_line(1), _line(2)])
    assert import_file(settings, path, now=NOW).inserted == 2
    again = import_file(settings, path, now=NOW)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_file(settings, _write(tmp_path / "b.jsonl", [_line(1, text="Bản sửa.")]), now=NOW)
    assert (changed.inserted, changed.updated) == (0, 1)
    with open_reader(settings.database) as store:
        assert store.con.execute("SELECT count(*) FROM documents").fetchall()[0][0] == 2
        assert store.con.execute("SELECT count(*) FROM document_versions").fetchall()[0][0] == 1


def test_a_missing_file_is_one_sentence(settings, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        import_file(settings, tmp_path / "missing.jsonl")


def test_dulun_import_on_the_command_line(settings, tmp_path):
    path = _write(tmp_path / "in.jsonl", [_line(1), "{broken"])
    env = {**os.environ, "DULUN_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(REPO)}
    env.pop("DULUN_CONFIG", None)
    run = lambda *args: subprocess.run([sys.executable, "-m", "dulun", *args], capture_output=True, text=True,  # noqa: E731
                                       env=env, cwd=tmp_path, timeout=120)
    done = run("import", str(path), "--now", "2026-11-20T14:00+07:00")
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout and "line 2: not JSON" in done.stdout
    bad = run("import", str(path), "--now", "yesterday")
    assert bad.returncode == 2 and "Bad --now 'yesterday'" in bad.stderr and "Traceback" not in bad.stderr
