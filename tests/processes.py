"""What the tests see of real processes, from /proc: children, process groups, the living.

A zombie counts as gone everywhere here: it holds no memory, no files and no locks any more.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator


def _stats() -> Iterator[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        yield int(stat.parent.name), state, int(ppid), int(pgrp)


def children(pid: int) -> list[int]:
    """Living children of `pid`."""
    return [p for p, state, ppid, _ in _stats() if ppid == pid and state != "Z"]


def group_members(pgid: int) -> list[int]:
    """Living processes of process group `pgid`."""
    return [p for p, state, _, pgrp in _stats() if pgrp == pgid and state != "Z"]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def wait_until(predicate, timeout: float = 60, every: float = 0.05, what: str = "condition"):
    """Poll `predicate` until it returns something true (returned) or `timeout` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
