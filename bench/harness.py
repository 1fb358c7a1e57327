"""Time a stage and its naive baseline in the same run; report the ratio and write JSON.

A benchmark module `bench/bench_<name>.py` defines `run(args) -> list[Comparison]`.
"""
from __future__ import annotations

import json
import platform
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    label: str
    items: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class Comparison:
    benchmark: str
    unit: str
    subject: Measurement
    baseline: Measurement
    extra: dict = field(default_factory=dict)

    @property
    def speedup(self) -> float:
        return self.subject.rate / self.baseline.rate

    def as_dict(self) -> dict:
        return {
            "benchmark": self.benchmark,
            "unit": self.unit,
            "subject": {**asdict(self.subject), "rate": self.subject.rate},
            "baseline": {**asdict(self.baseline), "rate": self.baseline.rate},
            "speedup": self.speedup,
            "extra": self.extra,
        }


def measure(label: str, items: int, work: Callable[[], object]) -> Measurement:
    started = time.perf_counter()
    work()
    return Measurement(label, items, time.perf_counter() - started)


def own_peak_rss_mb() -> float:
    """Peak resident memory of this process alone, in MiB.

    Not ru_maxrss: Linux carries it across exec, so a process started by a bigger one (a bench
    holding the corpus) would report its parent's peak. VmHWM is this process's own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpus() -> int | None:
    """The cores this process may use (its affinity), which is what a benchmark really gets."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def largest_child_peak_rss_mb() -> float:
    """Peak resident memory of the largest finished child process (a worker), in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def report(comparisons: list[Comparison], console: Console | None = None) -> Path:
    console = console or Console()
    table = Table("benchmark", "dulun", "baseline", "speed-up", title="Benchmarks (same run)")
    for c in comparisons:
        table.add_row(
            c.benchmark,
            f"{c.subject.rate:,.0f} {c.unit}/s ({c.subject.items:,} in {c.subject.seconds:.2f} s)",
            f"{c.baseline.rate:,.0f} {c.unit}/s ({c.baseline.items:,} in {c.baseline.seconds:.2f} s)",
            f"{c.speedup:.1f}x",
        )
    console.print(table)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    out = RESULTS_DIR / f"bench-{stamp}.json"
    out.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform()},
        "results": [c.as_dict() for c in comparisons],
    }, indent=2, ensure_ascii=False))
    console.print(f"results written to {out}")
    return out
