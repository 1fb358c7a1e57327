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


def run(args, tmp_path, stdin=None, data_dir=None):
    env = {**os.environ, "PYTHONPATH": str(REPO), "DULUN_DATA_DIR": str(data_dir or tmp_path),
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


def test_training_at_a_mistyped_data_folder_creates_no_database(tmp_path, model_home):
    """An empty database at a wrong DULUN_DATA_DIR would make every later answer "nothing found".
    Training from the seed set alone needs none (the session's model was trained so, at a data
    folder with no database) and makes none; weak labels need crawled documents: one sentence."""
    assert (model_home / "models").is_dir() and not (model_home / "dulun.duckdb").exists()
    typo = tmp_path / "typo"
    out = run(["train", "--weak", "50"], tmp_path, data_dir=typo)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"No database at {typo / 'dulun.duckdb'}" in out.stderr and "DULUN_DATA_DIR" in out.stderr
    assert not typo.exists()


def test_every_command_teaches_with_an_example(tmp_path):
    for command in ("train", "classify", "evaluate", "label", "enrich"):
        out = run([command, "--help"], tmp_path)
        assert out.returncode == 0 and "Example" in out.stdout, command


# The same three documents as a crawl stores them and as a file hands them to `dulun classify`:
# a press item, a forum post and an item of a citizens' petition portal that does not word
# itself as a complaint (the topic rules give every petition `complaints`).
EVERY_KIND = [
    {"url": "https://baohaiphong.vn/xa-hoi/cong-nhan-ngung-viec-523410.html", "source": "baohaiphong-xa-hoi",
     "kind": "press", "default_province": "Hải Phòng",
     "title": "Hàng trăm công nhân ngừng việc vì bị nợ lương",
     "lead": "Sáng 18/11, công nhân công ty may ở KCN Nam Đình Vũ đồng loạt ngừng việc đòi trả lương tháng 10.",
     "text": "Công ty hẹn trả lương nhiều lần nhưng không thực hiện, công nhân bức xúc."},
    {"url": "https://diendan.example.vn/threads/duong-ngap.77/?post=3", "source": "diendan-cong-nhan",
     "kind": "post", "default_province": None,
     "title": "Đường vào KCN ngập sâu mỗi khi mưa",
     "lead": "", "text": "Ae đi làm ca sáng qua đoạn đường này ngập tới đầu gối, xe chết máy hàng loạt."},
    {"url": "https://dichvucong.gov.vn/p/phananhkiennghi/8812", "source": "dichvucong-pakn",
     "kind": "petition", "default_province": "Quảng Ngãi",
     "title": "Đường liên xã xuống cấp, nhiều ổ gà",
     "lead": "", "text": "Tuyến đường liên xã dài 3 km hư hỏng nặng, người dân đi lại khó khăn vào mùa mưa."},
]


@pytest.mark.slow
def test_classify_and_enrich_tag_every_kind_of_document_alike(tmp_path):
    import datetime as dt

    from core.records import Document
    from store import open_reader, open_writer
    from store.documents import upsert_documents

    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    docs = [Document(url=d["url"], source=d["source"], kind=d["kind"], title=d["title"], lead=d["lead"],
                     text=d["text"], fetched_at=now, published_at=now, default_province=d["default_province"])
            for d in EVERY_KIND]
    with open_writer(tmp_path / "dulun.duckdb") as store:
        upsert_documents(store.con, docs)
    enriched = run(["enrich"], tmp_path)
    assert enriched.returncode == 0, enriched.stderr
    with open_reader(tmp_path / "dulun.duckdb") as store:
        rows = store.con.execute("SELECT doc_id, topics, provinces, scores FROM current_enrichments").fetchall()
    by_enrich = {doc_id: (list(topics), list(provinces), json.loads(scores)) for doc_id, topics, provinces, scores in rows}

    lines = [{"id": doc.doc_id, **{k: d[k] for k in ("title", "lead", "text", "kind", "default_province")}}
             for doc, d in zip(docs, EVERY_KIND)]
    classified = run(["classify", "--input", str(write_jsonl(tmp_path / "same.jsonl", lines))], tmp_path)
    assert classified.returncode == 0, classified.stderr
    by_classify = {r["id"]: (r["topics"], r["provinces"], r["scores"]) for r in map(json.loads, classified.stdout.splitlines())}

    assert by_classify == by_enrich
    petition = docs[2].doc_id
    assert "complaints" in by_enrich[petition][0]  # the petition rule, applied by both
