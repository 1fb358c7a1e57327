"""Screenshots of the workbench for the README, from the demo database (run `make demo` first).

    .venv/bin/python docs/make_screenshots.py        # writes docs/workbench-*.png

Serves the workbench on 127.0.0.1 with the demo's pinned clock and photographs two pages in
Debian's headless Chromium, as the browser tests do.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from crawlers.demo_site.server import DEMO_NOW  # noqa: E402
from core.settings import load_settings  # noqa: E402
from dulun.web.server import build  # noqa: E402

SHOTS = {
    "workbench-today.png": ("/", 1250),
    "workbench-cell.png": ("/hotspots/cell?" + urllib.parse.urlencode(
        {"week": "2026-W47", "topic": "labor", "province": "Hải Phòng"}), 1200),
}


def main() -> int:
    import uvicorn
    from playwright.sync_api import sync_playwright

    settings = load_settings(None)
    app, stop = build(settings, "127.0.0.1", pinned_now=DEMO_NOW)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            for name, (path, height) in SHOTS.items():
                page = browser.new_page(viewport={"width": 1280, "height": height})
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(HERE / name))
                print(HERE / name)
            browser.close()
    finally:
        stop.set()
        server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
