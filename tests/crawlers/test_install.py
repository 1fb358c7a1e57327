"""A fresh install with the pip that Python ships (not upgraded) gives a working `dulun extract`.

pip 23 (Python 3.11's) does not match lxml's `html-clean` extra to `lxml[html_clean]`, so a
project depending on the extra got lxml without lxml_html_clean, and every page that reached
trafilatura crashed with an ImportError. The project now names lxml_html_clean itself.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.fixture_server import FIXTURES

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "store", "nlp", "crawlers", "pipeline", "dulun")
# A page with no date goes through trafilatura (the fallback), which needs lxml.html.clean.
NO_DATE_PAGE = FIXTURES / "baohaiphong-xa-hoi" / "site" / "xa-hoi" / "thong-bao-lich-tiep-cong-dan-thang-12-523377.html"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_pip_install_without_upgrading_pip_gives_a_working_dulun_extract(tmp_path):
    source = _copy_of_the_project(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bundled = subprocess.run([str(venv / "bin" / "pip"), "--version"], capture_output=True, text=True, check=True).stdout
    # The machine's own pip configuration (index, find-links, constraints) applies, as for a user.
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(source)],
                             capture_output=True, text=True, timeout=800)
    assert install.returncode == 0, f"{bundled}\n{install.stderr[-3000:]}"

    run = subprocess.run([str(venv / "bin" / "dulun"), "extract", str(NO_DATE_PAGE),
                          "--url", "https://baohaiphong.vn/xa-hoi/thong-bao-lich-tiep-cong-dan-thang-12-523377.html"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{bundled}\n{run.stderr[-3000:]}"
    data = json.loads(run.stdout)
    assert data["title"] == "Thông báo lịch tiếp công dân tháng 12"
    assert data["published"] is None and "no_date" in data["notes"]
    assert "ngày 15 hằng tháng" in data["text"]


def _copy_of_the_project(target: Path) -> Path:
    """What `pip install .` needs, copied, so the build leaves nothing in the worktree."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, target / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, target / package, ignore=ignore)
    return target
