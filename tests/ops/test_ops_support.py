"""The ops tests' own helpers keep their promises (a flaky helper makes every crash test flaky)."""
from __future__ import annotations

import fcntl
import signal
import subprocess
import sys

from ops_support import kill_group, wait_for_line

# A group leader and a child holding a lock; the child has 1.5 GB to give back when it dies, so
# its exit takes a while after the leader's (the kernel frees memory before it closes files).
SLOW_TO_DIE = """
import fcntl, os, sys, time
if os.fork() == 0:
    lock = open(sys.argv[1], "a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    ballast = b"x" * (1536 << 20)
    print("locked", flush=True)
time.sleep(600)
"""


def test_kill_group_returns_only_when_no_process_of_the_group_holds_anything(tmp_path):
    """The cause of test_kill_9_of_the_scheduler_during_a_job_then_restart_resumes failing under
    load with "Conflicting lock is held": kill_group waited for the group leader (the scheduler)
    only, and the test opened the database while the killed job child was still exiting."""
    path = tmp_path / "held.lock"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_TO_DIE, str(path)], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        wait_for_line(proc, "locked")
        kill_group(proc, signal.SIGKILL)
        with path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError while the child still holds it
    finally:
        kill_group(proc, signal.SIGKILL)
