"""Run benchmarks: `python -m bench` (all) or `python -m bench ingest crawl` (some).

Every figure is a ratio against a naive baseline measured in the same run on this machine.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.harness import report


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(available())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"bench: unknown benchmark {', '.join(unknown)}; available: {', '.join(available())}.", file=sys.stderr)
        return 2
    comparisons = []
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        if hasattr(module, "run"):
            comparisons.extend(module.run(args))
        else:
            # Stage benchmarks with their own options print and save their own JSON report.
            module.main([])
    if comparisons:
        report(comparisons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
