"""`dulun schedule` with one test job instead of the stage jobs (run as a real subprocess).

The job goes through the real machinery: persisted by reference in the SQLite job store,
run by `dulun.jobs:run_child` in a child process, result recorded in the job log, signals
handled by `run_scheduler`.

Usage: python scheduler_harness.py CONFIG JOB_ID EVERY_S -- COMMAND...
"""
from __future__ import annotations

import datetime as dt
import sys

from apscheduler.triggers.interval import IntervalTrigger

from dulun.cli import setup_logging
from core.settings import load_settings
from dulun.schedule import TZ, JobSpec, run_scheduler


def main(argv: list[str]) -> int:
    config, job_id, every_s = argv[0], argv[1], float(argv[2])
    command = argv[argv.index("--") + 1:]
    setup_logging(False)
    settings = load_settings(config)
    spec = JobSpec(
        job_id, "dulun.jobs:run_child", (config, job_id, "writer", (), tuple(command)),
        IntervalTrigger(seconds=every_s, timezone=TZ), "writer",
        first_run=dt.datetime.now(TZ) + dt.timedelta(seconds=0.5),
    )
    run_scheduler(settings, config, specs=[spec])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
