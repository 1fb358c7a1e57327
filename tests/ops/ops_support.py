"""Helpers for the ops tests: a real settings file, a real DuckDB file, real `dulun` subprocesses.

Imported by the tests as `ops_support` (conftest puts this folder on sys.path, because the
suite runs with --import-mode=importlib)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.processes import group_members, wait_until  # noqa: F401  (wait_until: the ops tests use it from here)

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WRITER_JOB = HERE / "writer_job.py"
SCHEDULER_HARNESS = HERE / "scheduler_harness.py"


@dataclass
class OpsEnv:
    """A private dulun installation: data dir, settings file, and how to run commands in it."""

    root: Path
    config: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def db(self) -> Path:
        return self.data_dir / "dulun.duckdb"

    @property
    def jobstore(self) -> Path:
        return self.data_dir / "schedule.sqlite"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DULUN_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        env.update(extra)
        return env

    def dulun(self, *args: str, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dulun", "--config", str(self.config), *args],
            cwd=self.root, env=self.env(**extra_env), capture_output=True, text=True, timeout=timeout,
        )

    def spawn(self, argv: list[str], new_session: bool = True, **extra_env: str) -> subprocess.Popen:
        return subprocess.Popen(
            argv, cwd=self.root, env=self.env(**extra_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=new_session,
        )

    def spawn_dulun(self, *args: str, **extra_env: str) -> subprocess.Popen:
        return self.spawn([sys.executable, "-m", "dulun", "--config", str(self.config), *args], **extra_env)

    def spawn_writer(self, batches: int, batch_size: int, pause: float = 0.0, db: Path | None = None) -> subprocess.Popen:
        return self.spawn(writer_argv(db or self.db, batches, batch_size, pause))


def writer_argv(db: Path, batches: int, batch_size: int, pause: float = 0.0) -> list[str]:
    return [sys.executable, str(WRITER_JOB), str(db), "--batches", str(batches),
            "--batch-size", str(batch_size), "--pause", str(pause)]


def write_config(root: Path, extra: str = "") -> Path:
    config = root / "dulun.toml"
    config.write_text(
        f'data_dir = "{root / "data"}"\nlock_timeout_s = 30\n{extra}', encoding="utf-8"
    )
    return config


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 60, stream: str = "stdout") -> list[str]:
    """Read the child's stdout (or stderr) until a line contains `needle`; returns the lines read."""
    lines: list[str] = []
    pipe = getattr(proc, stream)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = pipe.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line.rstrip("\n"))
        if needle in line:
            return lines
    raise AssertionError(f"never saw {needle!r}; got {lines!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}")


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL, timeout: float = 30) -> None:
    """Kill the process and everything it started (it leads its own session), and return only
    when none of them holds anything any more.

    Waiting for the leader is not enough: its killed children may still be dying (the kernel
    gives back their memory before it closes their files), with the database and its locks
    still theirs. A zombie holds nothing, so it counts as gone."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=timeout)
    wait_until(lambda: not group_members(proc.pid), timeout=timeout, every=0.02,
               what=f"every process of group {proc.pid} to end")
