"""`dulun train | classify | evaluate | label | enrich` as a user runs them (real subprocesses)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

ARTICLES = [
    {"id": "a1", "title": "Hàng trăm công nhân ngừng việc vì bị nợ lương",
     "sapo": "Sáng 18/11, công nhân công ty may ở Hải Dương đồng loạt ngừng việc đòi trả lương tháng 10.", "text": ""},
    {"id": "a2", "title": "Ca sĩ trẻ ra mắt MV mới", "sapo": "MV đạt một triệu lượt xem sau một ngày.", "text": ""},
    {"id": "a3", "title": "", "sapo": "", "text": ""},
]


def run(args, tmp_path, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(REPO), "DULUN_DATA_DIR": str(tmp_path),
           "DULUN_NLP__MODEL_DIR": os.environ["NLP_TEST_MODEL_DIR"]}
    return subprocess.run([sys.executable, "-m", "dulun", *args], capture_output=True, text=True, env=env,
                          input=stdin, cwd=tmp_path, timeout=300)


@pytest.fixture(autouse=True)
def shared_model(model_home, monkeypatch):
    monkeypatch.setenv("NLP_TEST_MODEL_DIR", str(model_home / "models"))


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
def test_classify_prints_one_line_per_input(tmp_path):
    out = run(["classify", "--input", str(write_jsonl(tmp_path / "in.jsonl", ARTICLES))], tmp_path)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(l) for l in out.stdout.splitlines()]
    assert [l["id"] for l in lines] == ["a1", "a2", "a3"]
    assert "labor" in lines[0]["topics"] and lines[0]["provinces"] == ["Hải Phòng"]
    assert lines[1]["topics"] == [] and lines[2]["topics"] == []
    assert set(lines[0]["scores"]) >= {"labor", "land", "public_order"}


@pytest.mark.slow
def test_evaluate_reports_the_reference_metrics(tmp_path):
    gold = [{**ARTICLES[0], "topics": ["labor"], "provinces": ["Hải Phòng"]}, {**ARTICLES[1], "topics": [], "provinces": []}]
    out = run(["evaluate", "--gold", str(write_jsonl(tmp_path / "gold.jsonl", gold))], tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["micro_f1"] == 1.0 and report["province_f1"] == 1.0
    assert {"macro_f1", "per_topic", "none_precision", "docs_per_s"} <= set(report)
    rules_only = json.loads(run(["evaluate", "--gold", str(tmp_path / "gold.jsonl"), "--rules-only"], tmp_path).stdout)
    assert rules_only["model_version"] == "rules-only"


@pytest.mark.slow
def test_evaluate_splits_clear_documents_from_close_cases(tmp_path):
    gold = [{**ARTICLES[0], "topics": ["labor"], "provinces": ["Hải Phòng"], "confidence": "high"},
            {**ARTICLES[1], "topics": ["education"], "provinces": [], "confidence": "low"}]
    out = run(["evaluate", "--gold", str(write_jsonl(tmp_path / "gold.jsonl", gold))], tmp_path)
    assert out.returncode == 0, out.stderr
    split = json.loads(out.stdout)["by_confidence"]
    assert split["high"] == {"documents": 1, "micro_f1": 1.0, "macro_f1": 1.0}
    assert split["low"]["documents"] == 1 and split["low"]["micro_f1"] == 0.0


@pytest.mark.slow
def test_a_missing_input_file_is_one_sentence(tmp_path):
    out = run(["classify", "--input", str(tmp_path / "nope.jsonl")], tmp_path)
    assert out.returncode == 2 and "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_every_command_teaches_with_an_example(tmp_path):
    for command in ("train", "classify", "evaluate", "label", "enrich"):
        out = run([command, "--help"], tmp_path)
        assert out.returncode == 0 and "Example" in out.stdout, command
