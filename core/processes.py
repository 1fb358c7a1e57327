"""Processes that stop together: stop signals that unwind like Ctrl-C, children that die with
their parent, and a child stopped within a bounded time.

Why each piece:

* `stop_signals_raise()`: SIGINT, SIGTERM and SIGHUP raise `Stopped` in the main thread, so a
  `dulun` command unwinds (its `finally` and `with` blocks stop its children and mark its runs)
  and exits 128 + the signal number with one sentence. Python's own default for SIGTERM and
  SIGHUP is to die on the spot, leaving children and runs behind. SIGHUP raises once: it says
  the terminal or the parent is gone, which happens once, yet the kernel repeats the
  parent-death signal each time it hands the orphan to another thread of the dying parent (a
  kill -9 of the scheduler sent its job child two or three). Taken as "stop again, at once",
  a repeat killed the crawl child with -9 in the middle of storing its last batches and cut
  the job's own closing of its run short.
* `die_with_parent(parent_pid)`: a child asks Linux for a signal when its parent dies
  (PR_SET_PDEATHSIG). Nothing the parent does survives `kill -9` of the parent, and a child in
  the parent's process group is not told either: only the kernel's parent-death signal is. It
  is sent when the *thread* that started the child ends, so children are started by threads
  that wait for them (every dulun caller does). A parent that died before the child asked is
  seen by its pid no longer being the child's parent.
* `stop_child(proc, grace_s)`: SIGTERM, a bounded wait, then SIGKILL: a stop never hangs.

Imports nothing of dulun, so every layer can use it.
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from typing import Iterator

LOG = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Stopped(BaseException):
    """A stop signal reached this process. A BaseException, like KeyboardInterrupt: no
    `except Exception` on the way up swallows it; `detail` says what was kept."""

    def __init__(self, signum: int, detail: str = "", counts: dict | None = None):
        super().__init__(signum, detail)
        self.signum, self.detail = signum, detail
        self.counts = dict(counts or {})  # what was done and kept, for a run's record

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    def with_detail(self, detail: str, **counts: int) -> "Stopped":
        return Stopped(self.signum, detail, counts)

    def __str__(self) -> str:
        return f"stopped by {self.signal_name}" + (f"; {self.detail}" if self.detail else "") + "."


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While inside, SIGINT/SIGTERM/SIGHUP raise `Stopped` (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    hung_up = False

    def handler(signum, frame):
        nonlocal hung_up
        if signum == signal.SIGHUP:
            if hung_up:
                return  # a repeat of the parent-death signal (see the module doc): no new request
            hung_up = True
        raise Stopped(signum)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            # Once hung up, later repeats must not kill us on the way out either (the default would).
            signal.signal(s, signal.SIG_IGN if s == signal.SIGHUP and hung_up else h)


def die_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Have the kernel send `signum` to this process when `parent_pid`, its parent, dies.

    Call it first thing in the child. If the parent is already gone, `signum` is sent at once."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            LOG.warning("Could not ask to be stopped with the parent process: %s", os.strerror(ctypes.get_errno()))
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signum)


def worker_signals(parent_pid: int) -> None:
    """For a forked worker that only computes: killed outright with its parent, deaf to Ctrl-C
    (the terminal sends it to the whole group; the parent decides and stops its workers), and
    SIGTERM back to its default (a handler inherited from the parent would raise in the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent(parent_pid, signal.SIGKILL)


def stop_child(proc: subprocess.Popen, grace_s: float, signum: int = signal.SIGTERM) -> int:
    """Ask a child to stop (`signum`), wait up to `grace_s`, then kill it; returns its exit code.

    A second stop signal while waiting (an impatient Ctrl-C) kills the child at once."""
    try:
        if proc.poll() is None:
            proc.send_signal(signum)
        return proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        LOG.warning("Process %d did not stop within %g s; killing it.", proc.pid, grace_s)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    proc.kill()
    return proc.wait()
