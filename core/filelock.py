"""The one advisory file lock every dulun lock is made of (writer, crawl activity, scheduler).

An flock: the kernel drops it when its holder dies, even on kill -9, so a crashed process never
leaves a stale lock. The holder writes its pid into the file, only so that a waiting process
can say who it waits for.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable

POLL_S = 0.2


class FileLock:
    """`acquire(timeout_s)` waits up to `timeout_s` (0: one try) and says whether it got the lock."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self, timeout_s: float = 0.0, on_wait: Callable[[str], None] | None = None) -> bool:
        """Take the lock, waiting up to `timeout_s`; `on_wait(holder)` is called once if we wait.

        Opening the lock file may raise OSError (no such directory, full or read-only disk):
        callers turn it into their own sentence."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        deadline = time.monotonic() + timeout_s
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    return False
                if on_wait is not None and not told:
                    on_wait(_holder(fh))
                    told = True
                time.sleep(POLL_S)
        _write_pid(fh)
        self._fh = fh
        return True

    def holder(self) -> str:
        """' (pid N)' of the process holding the lock, or '' when unknown."""
        try:
            with self.path.open("r") as fh:
                return _holder(fh)
        except OSError:
            return ""

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _holder(fh) -> str:
    try:
        fh.seek(0)
        pid = fh.read().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _write_pid(fh) -> None:
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
    except OSError:
        pass  # the pid is only for messages; a full disk must not stop the lock itself
