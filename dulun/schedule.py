"""`dulun schedule`: APScheduler 3 running every stage unattended, in Asia/Ho_Chi_Minh.

Why it is shaped like this:

* One job thread (`SerialExecutor`) and `max_instances=1`: two jobs never run at once, so two
  writers never meet (the writer lock in every child is the second guard).
* Every job is a stage of the one pipeline definition (dulun/stages.py) with a clock, run in a
  child `dulun job ...` process (see dulun.jobs): the Twisted reactor is fresh for every crawl
  and a crashed stage cannot take the scheduler down.
* The schedule lives in a SQLite job store next to the database; a restart resumes it, and jobs
  whose definition did not change keep their next run time.
* `coalesce=True` and `misfire_grace_time`: after the machine slept, each job runs at most once
  (if still within the grace period), never a week of backlog.
* SIGTERM/SIGINT/SIGHUP: no new job starts, queued ones are dropped, the running job finishes
  its current step, then the scheduler exits 0. Killed with -9, the scheduler's running job
  child gets SIGHUP from the kernel and stops at once (see dulun.jobs).
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import os
import signal
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterator, Sequence

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.errors import UserError
from core.filelock import FileLock
from core.settings import Settings
from core.timeutil import VN
from dulun.stages import clock_kind, clocked
from store.ops import JobResult, record_job_result

LOG = logging.getLogger(__name__)
TZ = VN
FIRST_CRAWL_STAGGER_S = 20  # a fresh schedule starts crawls soon, one after another


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: id, the job function by reference, its picklable args and trigger."""

    id: str
    func: str
    args: tuple
    trigger: BaseTrigger
    stage: str
    first_run: dt.datetime | None = field(default=None, compare=False)
    misfire_grace_s: int | None = None  # None: the scheduler's default (schedule.misfire_grace_s)


class SerialExecutor(BasePoolExecutor):
    """One job at a time; on shutdown, jobs still waiting in the queue are dropped, not run."""

    def __init__(self) -> None:
        super().__init__(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="dulun-job"))

    def _do_submit_job(self, job, run_times):
        from apscheduler.executors.base import run_job

        def done(future: concurrent.futures.Future) -> None:
            if future.cancelled():
                self._logger.info("Job %s was waiting when the scheduler stopped; it runs next time.", job.id)
                self._run_job_success(job.id, [])
                return
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(run_job, job, job._jobstore_alias, run_times, self._logger.name)
        future.add_done_callback(done)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# What to schedule


def job_specs(settings: Settings, config_path: str | None, now: dt.datetime | None = None) -> list[JobSpec]:
    """A job for every stage with a clock (dulun/stages.py): one crawl per source at its own
    interval, the others at their [schedule] interval or cron line."""
    now = now or dt.datetime.now(TZ)
    specs: list[JobSpec] = []
    for stage in clocked(settings):
        clock = stage.clock
        # A report that is late (the machine slept past 07:00) still comes out once that day.
        grace = settings.schedule.report_misfire_grace_s if clock.late_ok else settings.schedule.misfire_grace_s
        kind = clock_kind(clock)
        if kind == "per-source":
            specs += [
                JobSpec(f"{stage.name}:{name}", "dulun.jobs:crawl_source", (config_path, name),
                        IntervalTrigger(minutes=minutes, timezone=TZ), stage.name,
                        first_run=now + dt.timedelta(seconds=FIRST_CRAWL_STAGGER_S * (i + 1)), misfire_grace_s=grace)
                for i, (name, minutes) in enumerate(source_intervals(settings))
            ]
            continue
        value = getattr(settings.schedule, clock.every)
        trigger = IntervalTrigger(minutes=value, timezone=TZ) if kind == "interval" else _cron(value)
        specs.append(JobSpec(stage.name, "dulun.jobs:run_job", (config_path, stage.name), trigger, stage.name,
                             misfire_grace_s=grace))
    return specs


def _cron(expression: str) -> CronTrigger:
    return CronTrigger.from_crontab(expression, timezone=TZ)


def source_intervals(settings: Settings) -> list[tuple[str, int]]:
    """(name, interval_minutes) of every configured source, read from the sources YAML."""
    path = settings.crawl.sources_file
    try:
        if path is not None:
            text = Path(path).read_text(encoding="utf-8")
        else:
            packaged = resources.files("crawlers").joinpath("sources.yaml")
            if not packaged.is_file():
                LOG.warning("No sources file (crawl.sources_file unset and no packaged crawlers/sources.yaml): no crawl jobs.")
                return []
            text = packaged.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except OSError as exc:
        raise UserError(f"Sources file {path} cannot be read: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise UserError(f"Sources file {path or 'crawlers/sources.yaml'} is not valid YAML: {exc}.") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"Sources file {path or 'crawlers/sources.yaml'} needs a list under `sources:`.")
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise UserError(f"Every entry of the sources file needs a `name` (got {entry!r}).")
        minutes = entry.get("interval_minutes", 60)
        if not isinstance(minutes, int) or minutes < 1:
            raise UserError(f"Source {entry['name']}: interval_minutes must be a whole number of minutes >= 1.")
        found.append((str(entry["name"]), minutes))
    return found


# ---------------------------------------------------------------------------------------------
# The scheduler


class StoreOnlyScheduler(BaseScheduler):
    """Reads and edits the stored schedule without ever running a job (for --list and tests).

    A BackgroundScheduler's thread can process due jobs during its own shutdown, which would
    advance their next run time without running them; this one has no thread at all.
    """

    def wakeup(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)


def build_scheduler(settings: Settings, run_jobs: bool = True) -> BaseScheduler:
    """The scheduler over the SQLite job store; `run_jobs=False` gives one that only edits it."""
    settings.jobstore_path.parent.mkdir(parents=True, exist_ok=True)
    kind = BackgroundScheduler if run_jobs else StoreOnlyScheduler
    return kind(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{settings.jobstore_path}")},
        executors={"default": SerialExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": settings.schedule.misfire_grace_s},
        timezone=TZ,
    )


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def sync_jobs(scheduler: BaseScheduler, specs: Sequence[JobSpec]) -> SyncReport:
    """Make the stored schedule match the settings; unchanged jobs keep their next run time."""
    report = SyncReport()
    stored = {job.id: job for job in scheduler.get_jobs()}
    for spec in specs:
        job = stored.pop(spec.id, None)
        if job is not None and _same(job, spec):
            report.kept.append(spec.id)
            continue
        (report.changed if job is not None else report.added).append(spec.id)
        kwargs = {"next_run_time": spec.first_run} if spec.first_run and job is None else {}
        if spec.misfire_grace_s is not None:
            kwargs["misfire_grace_time"] = spec.misfire_grace_s
        scheduler.add_job(spec.func, spec.trigger, args=spec.args, id=spec.id, name=spec.id,
                          replace_existing=True, **kwargs)
    for job_id in stored:
        scheduler.remove_job(job_id)
        report.removed.append(job_id)
    return report


def _same(job, spec: JobSpec) -> bool:
    grace_same = spec.misfire_grace_s is None or job.misfire_grace_time == spec.misfire_grace_s
    return (job.func_ref == spec.func and tuple(job.args) == tuple(spec.args)
            and str(job.trigger) == str(spec.trigger) and grace_same)


@contextlib.contextmanager
def scheduler_lock(settings: Settings) -> Iterator[None]:
    """Only one `dulun schedule` per job store, or every job would run twice."""
    lock = FileLock(Path(str(settings.jobstore_path) + ".lock"))
    if not lock.acquire():
        raise UserError(
            f"Another `dulun schedule`{lock.holder() or ' (pid ?)'} is already running with {settings.jobstore_path}; "
            "stop it first (one scheduler per database)."
        )
    try:
        yield
    finally:
        lock.release()


def run_scheduler(
    settings: Settings,
    config_path: str | None,
    specs: Sequence[JobSpec] | None = None,
    stop: threading.Event | None = None,
) -> SyncReport:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns how the stored schedule was synced."""
    stop = stop or threading.Event()
    with scheduler_lock(settings):
        scheduler = build_scheduler(settings)
        _record_missed_and_errors(scheduler, settings)
        previous = _install_signal_handlers(stop)
        try:
            scheduler.start(paused=True)
            report = sync_jobs(scheduler, specs if specs is not None else job_specs(settings, config_path))
            LOG.info("Schedule synced: %d added, %d changed, %d kept, %d removed.",
                     len(report.added), len(report.changed), len(report.kept), len(report.removed))
            for job in scheduler.get_jobs():
                LOG.info("Next run of %s: %s", job.id, job.next_run_time)
            scheduler.resume()
            while not stop.wait(1.0):
                pass
            LOG.info("Stopping: no new jobs; waiting for the running job to finish its current step.")
            scheduler.pause()  # nothing new is picked up while the executor drains
            scheduler.shutdown(wait=True)
            LOG.info("Scheduler stopped.")
        finally:
            _restore_signal_handlers(previous)
    return report


def _install_signal_handlers(stop: threading.Event) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum, frame):
        if not stop.is_set():
            LOG.warning("Got %s: stopping after the running job's current step.", signal.Signals(signum).name)
            stop.set()
            # SIGHUP (a closed terminal) stops the scheduler like SIGTERM; to a job child SIGHUP
            # means "your scheduler is gone, stop now", so it is passed on as SIGTERM.
            _forward_to_children(signal.SIGTERM if signum == signal.SIGHUP else signum)

    return {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}


def _forward_to_children(signum: int) -> None:
    """As process-group leader (systemd, a test), pass the signal on to the running stage child.

    The child finishes its current step and exits; we ignore our own copy (stop is already set).
    Not a group leader (started from a shell pipeline), we leave other processes alone.
    """
    if os.getpgrp() == os.getpid():
        with contextlib.suppress(OSError):
            os.killpg(os.getpgrp(), signum)


def _restore_signal_handlers(previous: dict) -> None:
    for s, h in previous.items():
        signal.signal(s, h)


def _record_missed_and_errors(scheduler: BaseScheduler, settings: Settings) -> None:
    """Missed runs and job functions that raised are results too: `dulun status` shows them."""

    def listener(event) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        stage = event.job_id.split(":", 1)[0]
        if event.code == EVENT_JOB_MISSED:
            result = JobResult(event.job_id, stage, event.scheduled_run_time, now, "missed", "missed_while_down",
                               f"scheduled at {event.scheduled_run_time.isoformat()}")
        else:
            result = JobResult(event.job_id, stage, event.scheduled_run_time, now, "failed",
                               type(event.exception).__name__, str(event.exception)[:500])
        try:
            record_job_result(settings.jobstore_path, result, keep=settings.schedule.keep_results)
        except Exception:  # the log must never stop the scheduler
            LOG.exception("Could not record the result of job %s", event.job_id)

    scheduler.add_listener(listener, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
