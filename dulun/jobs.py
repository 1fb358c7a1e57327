"""Scheduled jobs: each runs one stage's job in a CHILD `dulun job <stage>` process.

Two halves live here:

* job functions the scheduler stores by textual reference (`dulun.jobs:crawl_source`,
  `dulun.jobs:run_job`), with only picklable arguments (the settings file path, a stage or a
  source name). They run in the scheduler's single job thread, start the child, wait for it,
  and record the result in the job log next to the database. A crashed or killed stage
  therefore never takes the scheduler down, and every writer is a separate short-lived
  process serialised by the writer lock.
* `run_stage_here`, which the child runs: the stage and the stages that follow it in its job
  (dulun/stages.py says which), one step each, then one JSON summary line.

A child that gets SIGTERM or SIGINT finishes the step it is in (one entry point call, whose
writes are committed batch by batch) and skips the steps after it; a step whose own workers the
same signal stopped (`systemctl stop` signals the whole group) ends there, recorded as
interrupted with what its committed batches kept, not as failed. When the scheduler dies,
even by kill -9, the child gets SIGHUP (`--parent-pid`, the kernel's parent-death signal) and
stops at once, as any `dulun` command stopped by a signal does: its own children stopped, its
crawl runs marked interrupted, the batches written kept. Nobody is left to wait for it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from core.errors import UserError
from core.filelock import FileLock
from core.processes import Stopped
from core.settings import Settings, load_settings
from dulun.stages import CRAWL, Moment, job_of
from store.ops import JobResult, parse_summary, record_job_result

LOG = logging.getLogger(__name__)
SUMMARY_PREFIX = "DULUN_JOB_SUMMARY "
EXIT_STOPPED = 75  # EX_TEMPFAIL: stopped early on request; the next run carries on


# ---------------------------------------------------------------------------------------------
# Job functions (run in the scheduler process; stored by reference in the job store)


def crawl_source(config_path: str | None, source: str) -> dict:
    """Crawl one source; when it stored new documents, the crawl stage's follow-up job (enrich)
    runs at once in its own child."""
    result = run_child(config_path, f"crawl:{source}", CRAWL.name, ["--source", source])
    if result["outcome"] == "ok" and _stored(result) > 0 and CRAWL.then_when_stored:
        then = CRAWL.then_when_stored
        result = {**result, "then": run_child(config_path, then, then, [])}
    return result


def run_job(config_path: str | None, stage_name: str) -> dict:
    """The job of one stage (see dulun.stages.job_of) in a child."""
    return run_child(config_path, stage_name, stage_name, [])


def run_child(
    config_path: str | None, job_id: str, stage: str, args: Sequence[str], command: Sequence[str] | None = None
) -> dict:
    """Run `dulun job <stage> <args>` (or `command`) as a child and record how it ended.

    The child's log goes straight to our stderr (the journal under systemd); its last stdout
    line carries the JSON summary. Returns the recorded result as a dict.
    """
    settings = load_settings(config_path)
    # The child stops with us even if we are killed with -9 (its parent-death signal; it is
    # started and waited for by this same thread, as the signal requires).
    argv = list(command) if command else [*child_argv(config_path, stage, args), "--parent-pid", str(os.getpid())]
    started = _now()
    LOG.info("Job %s: starting %s", job_id, " ".join(argv[2:]) if not command else " ".join(argv))
    outcome, cause, summary = _wait_for_child(argv, settings.schedule.job_timeout_minutes * 60)
    result = JobResult(job_id, stage, started, _now(), outcome, cause, summary)
    record_job_result(settings.jobstore_path, result, keep=settings.schedule.keep_results)
    LOG.info("Job %s: %s%s", job_id, outcome, f" ({cause})" if cause else "")
    return result.to_dict()


def child_argv(config_path: str | None, stage: str, args: Sequence[str]) -> list[str]:
    config = ["--config", str(config_path)] if config_path else []
    return [sys.executable, "-m", "dulun", *config, "job", stage, *args]


def _wait_for_child(argv: list[str], timeout_s: float) -> tuple[str, str | None, str | None]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        stdout, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _stop_child(proc)
        return "timeout", "timeout", f"stopped after {timeout_s:g} s"
    return classify_exit(proc.returncode, stdout)


def _stop_child(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


def classify_exit(returncode: int, stdout: str | None) -> tuple[str, str | None, str | None]:
    """outcome, cause, summary from a child's exit code and its summary line."""
    summary = _summary_line(stdout or "")
    data = parse_summary(summary)
    if returncode == 0:
        return "ok", None, summary
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return "interrupted", f"killed_{name}", summary
    if returncode == EXIT_STOPPED:
        return "interrupted", "stopped_on_request", summary
    return "failed", data.get("cause") or f"exit_{returncode}", summary


def _summary_line(stdout: str) -> str | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(SUMMARY_PREFIX):
            return line[len(SUMMARY_PREFIX):]
    return None


def _stored(result: dict) -> int:
    return int(parse_summary(result.get("summary")).get("stored", 0) or 0)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# The child: `dulun job <stage>`


class StopRequest:
    """Set by SIGTERM/SIGINT in a child: the current step finishes, later steps are skipped."""

    def __init__(self) -> None:
        self.event = threading.Event()

    @contextmanager
    def installed(self) -> Iterator["StopRequest"]:
        def handler(signum, frame):
            LOG.warning("Got %s: finishing the current step, then stopping.", signal.Signals(signum).name)
            self.event.set()

        previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for s, h in previous.items():
                signal.signal(s, h)

    @property
    def requested(self) -> bool:
        return self.event.is_set()


def run_stage_here(settings: Settings, stage_name: str, source: str | None = None, stop: StopRequest | None = None,
                   now: dt.datetime | None = None) -> dict:
    """Run a stage's job in this process, step by step; returns the JSON-able summary. Raises UserError."""
    stop = stop or StopRequest()
    steps = stage_steps(settings, stage_name, source, now)
    done: dict = {"stage": stage_name, "steps": {}}
    for name, step in steps:
        if stop.requested:
            done["stopped"] = True
            break
        try:
            value = step()
        except Stopped as stopped:
            # The step could not finish: its own workers were stopped with us (systemctl stop
            # signals the whole group), or SIGHUP said our scheduler is gone. Its batches are kept.
            LOG.warning("%s %s", name, stopped)
            done["steps"][name] = {"stopped_by": stopped.signal_name, "detail": stopped.detail, **stopped.counts}
            done["stopped"] = True
            break
        done["steps"][name] = to_jsonable(value)
    done["stored"] = _count_stored(done["steps"].get(CRAWL.name))
    return done


def stage_steps(settings: Settings, stage_name: str, source: str | None,
                now: dt.datetime | None = None) -> list[tuple[str, Callable[[], object]]]:
    """(step name, work) for `dulun job <stage_name>`: the stages of its job, in order; a crawl
    first closes the runs a killed crawl left open."""
    job = job_of(stage_name)
    if job[0].needs_source and not source:
        raise UserError(f"`dulun job {stage_name}` needs --source NAME (one source per job).")
    at = Moment.at(now, sources=[source] if source else None)
    steps = [("recover", lambda: recover_interrupted_runs(settings))] if job[0] is CRAWL else []
    return steps + [(s.name, lambda s=s: s.run(settings, at)) for s in job]


def recover_interrupted_runs(settings: Settings) -> int:
    """Close crawl runs left 'running' by a killed crawl, while no other scheduled crawl is alive.

    Held for the whole crawl job, the crawl-activity lock tells us every 'running' run we see
    belongs to a dead process.
    """
    from store import open_writer
    from store.runs import mark_interrupted_runs

    with open_writer(settings.database, settings.lock_timeout_s) as store:
        marked = mark_interrupted_runs(store.con)
    if marked:
        LOG.warning("Marked %d crawl run(s) left running by a killed process as interrupted.", marked)
    return marked


def _count_stored(crawl_value) -> int:
    """New or changed documents from the crawl's summaries, whatever their exact shape."""
    if crawl_value is None:
        return 0
    items = crawl_value if isinstance(crawl_value, list) else [crawl_value]
    total = 0
    for item in items:
        if isinstance(item, dict):
            for key in ("items_stored", "stored", "inserted", "new_documents"):
                if isinstance(item.get(key), int):
                    total += item[key]
                    break
            else:
                result = item.get("result")
                if isinstance(result, dict) and isinstance(result.get("items_stored"), int):
                    total += result["items_stored"]
    return total


def to_jsonable(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "__dict__"):
        return to_jsonable(vars(value))
    return str(value)


def print_summary(summary: dict) -> None:
    line = SUMMARY_PREFIX + json.dumps(summary, ensure_ascii=False, default=str)
    try:
        print(line, flush=True)
    except BrokenPipeError:  # the scheduler that started us is gone: the log keeps the summary
        LOG.warning("Nobody reads the job summary any more: %s", line)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush is quiet


@contextmanager
def crawl_activity_lock(settings: Settings) -> Iterator[None]:
    """Held by a crawl job child for its whole run (see recover_interrupted_runs)."""
    lock = FileLock(Path(str(settings.database) + ".crawl.lock"))
    if not lock.acquire(settings.lock_timeout_s):
        raise UserError(f"Another crawl job is running on {settings.database}; waited {settings.lock_timeout_s:g} s.")
    try:
        yield
    finally:
        lock.release()
