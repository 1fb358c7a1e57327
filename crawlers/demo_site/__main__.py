"""Serve the demo site by hand: `python -m crawlers.demo_site [--seed N] [--dir PATH]`."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from crawlers.demo_site.server import serve_demo_site


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m crawlers.demo_site",
        description="Serve dulun's offline demo site on 127.0.0.1 until Ctrl-C. Example: "
                    "python -m crawlers.demo_site --dir /tmp/demo-site  (then open the printed URL)")
    parser.add_argument("--seed", type=int, default=2026, help="content seed (default 2026)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write sources.yaml and expected.json")
    args = parser.parse_args()
    with serve_demo_site(seed=args.seed, directory=args.dir) as site:
        print(f"Demo site: {site.base_url}/")
        print(f"Sources file: {site.sources_file}")
        print(f"Expected manifest: {site.expected_file}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
