"""`dulun enrich` stopped, killed, or run twice at once (real processes on a real database).

Seen before: killing `dulun enrich` left both enrichment workers (about 255 MB each) running
as orphans; Ctrl-C exited 0 with no message; two enrichments at once both did the same
documents (pending rows were read under the lock and written after it).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core.filelock import FileLock
from core.records import Document
from store import open_writer
from store.documents import upsert_documents
from tests.processes import alive, children, wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VN = dt.timezone(dt.timedelta(hours=7))
TOPICS = ["Công nhân khu công nghiệp ngừng việc vì bị nợ lương ba tháng",
          "Người dân phản ánh bãi rác gây ô nhiễm nguồn nước sinh hoạt",
          "Phụ huynh bức xúc vì các khoản thu đầu năm học",
          "Dự án chậm giải phóng mặt bằng, dân khiếu nại về giá đền bù"]
PLACES = ["Hải Phòng", "Nghệ An", "Đà Nẵng", "Cần Thơ", "Quảng Ninh"]


def fill(data_dir: Path, count: int) -> None:
    """`count` distinct press items (no two alike, so none is reused as a duplicate)."""
    fetched = dt.datetime(2026, 11, 22, 9, 0, tzinfo=VN)
    docs = [Document(url=f"http://127.0.0.1/bai-{i}.html", source="s", kind="press",
                     title=f"{TOPICS[i % 4]} ở {PLACES[i % 5]} (tin {i})",
                     text=f"Bài số {i}. {TOPICS[(i + 1) % 4]}. Chính quyền {PLACES[(i + 2) % 5]} cho biết sẽ xử lý. " * 3,
                     fetched_at=fetched, published_at=fetched - dt.timedelta(minutes=i))
            for i in range(count)]
    with open_writer(data_dir / "dulun.duckdb") as store:
        upsert_documents(store.con, docs)


def start_enrich(data_dir: Path, model_dir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DULUN_")}
    env.update(PYTHONPATH=str(REPO), DULUN_DATA_DIR=str(data_dir), DULUN_NLP__MODEL_DIR=str(model_dir),
               DULUN_NLP__WORKERS="2", DULUN_NLP__BATCH_SIZE="8", DULUN_LOCK_TIMEOUT_S="600")
    return subprocess.Popen([sys.executable, "-m", "dulun", "enrich"], cwd=data_dir.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def workers_of(proc: subprocess.Popen) -> list[int]:
    return wait_until(lambda: len(children(proc.pid)) >= 2 and children(proc.pid) or proc.poll() is not None,
                      timeout=120, what="both enrichment workers")


def enriched(data_dir: Path) -> int:
    con = duckdb.connect(str(data_dir / "dulun.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM enrichments").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    fill(tmp_path / "data", 4000)
    return tmp_path / "data"


def test_kill_9_of_dulun_enrich_takes_both_workers_down_with_it(data_dir, model_home):
    parent = start_enrich(data_dir, model_home / "models")
    try:
        workers = workers_of(parent)
        assert parent.poll() is None, parent.communicate()
        parent.kill()
        parent.wait()
        wait_until(lambda: not any(alive(w) for w in workers), timeout=15, what="the orphaned workers to die")
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
    # The workers shared the parent's writer lock (a forked flock): with them gone, it is free.
    lock = FileLock(data_dir / "dulun.duckdb.lock")
    assert lock.acquire(), "the writer lock is still held"
    lock.release()


def test_ctrl_c_of_dulun_enrich_stops_its_workers_keeps_what_was_written_and_says_so(data_dir, model_home):
    parent = start_enrich(data_dir, model_home / "models")
    try:
        workers = workers_of(parent)
        os.killpg(parent.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the workers too
        _, err = parent.communicate(timeout=60)
    finally:
        os.killpg(parent.pid, signal.SIGKILL) if parent.poll() is None else None
    assert parent.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not any(alive(w) for w in workers)
    [sentence] = [line for line in err.splitlines() if line.startswith("dulun:")]
    assert "stopped by SIGINT" in sentence and "`dulun enrich`" in sentence
    kept = int(re.search(r"(\d+) documents? enriched", sentence)[1])
    assert kept == enriched(data_dir) < 4000


def test_two_enrichments_at_once_never_enrich_a_document_twice(tmp_path, model_home):
    data_dir = tmp_path / "data"
    fill(data_dir, 600)
    first, second = start_enrich(data_dir, model_home / "models"), start_enrich(data_dir, model_home / "models")
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert first.returncode == second.returncode == 0, outputs
    done = [int(re.search(r"Enriched (\d+) documents", err)[1]) for _, err in outputs]
    assert sum(done) == 600 == enriched(data_dir)  # every document once, by one of them


def test_two_enrichments_that_find_no_model_train_it_once(tmp_path):
    """The scheduler's enrich job and a manual `dulun enrich` on a fresh install both find no
    model: one trains it, the other waits for it and enriches with the same model."""
    data_dir, models = tmp_path / "data", tmp_path / "models"  # no model there yet
    fill(data_dir, 40)
    first, second = start_enrich(data_dir, models), start_enrich(data_dir, models)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert first.returncode == second.returncode == 0, outputs
    errs = [err for _, err in outputs]
    [trainer] = [err for err in errs if "trained topics-" in err]
    [waiter] = [err for err in errs if err is not trainer]
    assert re.search(r"waiting for the topic model another process \(pid \d+\) is training", waiter)
    [version] = [p.name for p in models.iterdir() if p.is_dir()]
    assert sum(int(re.search(r"Enriched (\d+) documents", err)[1]) for err in errs) == 40 == enriched(data_dir)
    con = duckdb.connect(str(data_dir / "dulun.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT DISTINCT model_version FROM enrichments").fetchall() == [(version,)]
    finally:
        con.close()


def test_systemctl_stop_during_a_scheduled_enrichment_records_it_interrupted_with_what_it_kept(tmp_path, model_home):
    """`systemctl stop` sends SIGTERM to the scheduler's whole process group: the enrich job's
    workers die of it at once. That is a stop, not a failure: the job is recorded interrupted,
    with the documents its committed chunks enriched and those left for the next run."""
    from store.ops import job_results_for

    data_dir = tmp_path / "data"
    fill(data_dir, 4000)
    config = tmp_path / "dulun.toml"
    config.write_text(f'data_dir = "{data_dir}"\nlock_timeout_s = 600\n[nlp]\nmodel_dir = "{model_home / "models"}"\n'
                      "workers = 2\nbatch_size = 8\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DULUN_")}
    env.update(PYTHONPATH=str(REPO))
    job = [sys.executable, "-m", "dulun", "--config", str(config), "job", "enrich"]
    scheduler = subprocess.Popen([sys.executable, str(REPO / "tests" / "ops" / "scheduler_harness.py"), str(config),
                                  "enrich", "3600", "--", *job], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        child = wait_until(lambda: children(scheduler.pid), timeout=60, what="the enrich job's child")[0]
        wait_until(lambda: len(children(child)) >= 2, timeout=120, what="both enrichment workers")
        os.killpg(scheduler.pid, signal.SIGTERM)
        _, err = scheduler.communicate(timeout=120)
    finally:
        os.killpg(scheduler.pid, signal.SIGKILL) if scheduler.poll() is None else None
    assert scheduler.returncode == 0, err
    [result] = job_results_for(data_dir / "schedule.sqlite", "enrich")
    assert (result.outcome, result.cause) == ("interrupted", "stopped_on_request"), result
    step = json.loads(result.summary)["steps"]["enrich"]
    assert step["stopped_by"] == "SIGTERM"
    assert step["documents_enriched"] == enriched(data_dir) < 4000
    assert step["documents_pending"] == 4000 - step["documents_enriched"]
