"""`dulun crawl` from the command line, against the local fixture servers."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(args, data_dir, **env):
    full_env = dict(os.environ, DULUN_DATA_DIR=str(data_dir), COLUMNS="200",
                    DULUN_CRAWL__DOWNLOAD_DELAY="0", DULUN_CRAWL__AUTOTHROTTLE="false",
                    DULUN_CRAWL__OWN_HOSTS="127.0.0.1", **env)  # the local fixture servers are ours
    return subprocess.run([sys.executable, "-m", "dulun", *args], capture_output=True, text=True, env=full_env)


@pytest.mark.slow
def test_crawl_named_sources_prints_a_summary_per_source(fixture_sites, tmp_path):
    run = _run(["crawl", "--sources-file", str(fixture_sites.sources_file),
                "--source", "tuoitre-thoi-su", "--source", "voz-diem-bao"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert "tuoitre-thoi-su" in run.stdout and "voz-diem-bao" in run.stdout
    assert "dantri-xa-hoi" not in run.stdout
    assert "private_address" not in run.stdout  # the fixture servers' loopback address is allowed: listed as ours
    status = _run(["status"], tmp_path)
    assert "tuoitre-thoi-su" in status.stdout and "voz-diem-bao" in status.stdout


def test_unknown_source_is_one_sentence_listing_known_names(tmp_path):
    run = _run(["crawl", "--source", "no-such-paper"], tmp_path)
    assert run.returncode == 2
    assert "Unknown source no-such-paper; known sources:" in run.stderr and "vnexpress-thoi-su" in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_sources_file_is_one_sentence(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("sources:\n  - name: x\n    spider: rss\n", encoding="utf-8")
    run = _run(["crawl", "--sources-file", str(bad)], tmp_path)
    assert run.returncode == 2 and "source x" in run.stderr and "spider" in run.stderr


def test_crawl_help_teaches_with_an_example(tmp_path):
    run = _run(["crawl", "--help"], tmp_path)
    assert "dulun crawl --source vnexpress-thoi-su" in run.stdout
