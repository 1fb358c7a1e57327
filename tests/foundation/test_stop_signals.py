"""A stop signal unwinds a `dulun` command once; SIGHUP, which says the terminal or the parent is
gone, is never taken as "stop again, at once" (real processes, real signals).

Seen before: kill -9 of the scheduler sent its job child the parent-death SIGHUP two or three
times (the kernel repeats it each time it hands the orphan to another thread of the dying
scheduler); the repeat, taken for an impatient second stop, killed the crawl child with -9 while
it stored its last batches, and a third cut the job's own closing of its run short.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A command stopped once, then cleaning up (as `crawl` waits for its child to store its last
# batch) while more signals arrive; each line it prints says where it is.
COMMAND = """
import time
from core.processes import Stopped, stop_signals_raise
with stop_signals_raise():
    try:
        print("ready", flush=True)
        time.sleep(60)
    except Stopped as first:
        try:
            print("stopped by", first.signal_name, flush=True)
            time.sleep(1.5)
            print("cleaned up", flush=True)
        except Stopped as again:
            print("stopped again by", again.signal_name, flush=True)
print("done", flush=True)
time.sleep(0.5)
"""


def run_signalled(*signals: signal.Signals) -> tuple[int, list[str]]:
    """Run COMMAND and send `signals`, each once the previous one was taken, then the first one
    again after the command's `with` ended; returns its exit code and the lines it printed."""
    proc = subprocess.Popen([sys.executable, "-c", COMMAND], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline().strip()]
    for signum in signals:
        proc.send_signal(signum)
        lines.append(proc.stdout.readline().strip())
    while lines[-1] not in ("done", ""):
        lines.append(proc.stdout.readline().strip())
    if lines[-1] == "done":
        proc.send_signal(signals[0])
    proc.communicate(timeout=10)
    return proc.returncode, [line for line in lines if line]


def test_a_repeated_sighup_does_not_cut_the_clean_up_of_the_first_short():
    code, lines = run_signalled(signal.SIGHUP, signal.SIGHUP)
    assert lines == ["ready", "stopped by SIGHUP", "cleaned up", "done"]
    assert code == 0, "a SIGHUP after the command's end killed it"


def test_a_second_sigterm_still_stops_the_clean_up_at_once():
    code, lines = run_signalled(signal.SIGTERM, signal.SIGTERM)
    assert lines[:3] == ["ready", "stopped by SIGTERM", "stopped again by SIGTERM"]  # an impatient operator
