"""A small synthetic dulun database, shaped like the demo's, for the notebooks and their helpers.

It stands for 11 weeks of fixture content, 2026-W37 (Monday 2026-09-07) to 2026-W47 (Sunday
2026-11-22), from 5 sources on a made-up host `tin.example.vn`, and plants the demo's rise:
`labor` (strikes, unpaid wages) in Hải Phòng in 2026-W47, carried by 4 outlets, against a
history of at most one labor story a week there. Expected, and pinned in the tests:
- the hot-spot row for labor x Hải Phòng x 2026-W47 has level `new`;
- "đình công" and "nợ lương" are among that week's key phrases against its baseline weeks.

Documents go in through `store.documents.upsert_documents`; enrichments, hot spots and labels
go in as one DataFrame each (INSERT ... SELECT), the way the stages write them.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random
from pathlib import Path

import pandas as pd
import pytest

import store
from store.documents import upsert_documents
from store.nlp import record_model
from core.timeutil import week_label
from core.records import Document, author_hash

VN = dt.timezone(dt.timedelta(hours=7))
FIRST_MONDAY = dt.date(2026, 9, 7)   # Monday of 2026-W37
WEEKS = 11                           # 2026-W37 .. 2026-W47
MODEL = "synthetic-2026-11-01"
SALT = b"synthetic-test-salt"

SOURCES = {  # name -> (kind, default province)
    "bao-cang": ("press", "Hải Phòng"),
    "tin-thu-do": ("press", "Hà Nội"),
    "nguoi-lao-dong-online": ("press", None),
    "dien-dan-dan-sinh": ("post", None),
    "cong-kien-nghi": ("petition", None),
}
PROVINCES = ["Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Quảng Ninh", "Cần Thơ"]

# Everyday stories of each topic: (title, body). {p} is the province.
TEMPLATES = {
    "labor": ("Công nhân {p} kiến nghị về bảo hiểm xã hội",
              "Người lao động tại {p} đề nghị doanh nghiệp đóng bảo hiểm xã hội đầy đủ cho công nhân."),
    "land": ("Người dân {p} chờ bồi thường giải phóng mặt bằng",
             "Dự án thu hồi đất tại {p} chậm chi trả bồi thường, tái định cư chưa xong."),
    "environment": ("Bãi rác ở {p} bốc mùi, dân phản ánh ô nhiễm",
                    "Rác thải tồn đọng gây ô nhiễm môi trường, nước thải xả ra kênh tại {p}."),
    "infrastructure": ("Đường ở {p} xuống cấp sau mưa lớn",
                       "Tuyến đường hư hỏng nặng, dự án nâng cấp hạ tầng tại {p} chậm tiến độ."),
    "safety": ("Cháy nhà xưởng tại {p}",
               "Vụ cháy lớn thiêu rụi nhà xưởng ở {p}, lực lượng cứu hỏa khống chế đám cháy."),
    "complaints": ("Cử tri {p} gửi đơn khiếu nại kéo dài",
                   "Nhiều hộ dân tại {p} gửi đơn khiếu nại, tố cáo lên cơ quan chức năng."),
}
# The planted rise: several distinct stories about strikes and unpaid wages.
PLANTED = [
    ("Hàng nghìn công nhân công ty giày ở Hải Phòng đình công vì nợ lương",
     "Công nhân đình công, ngừng việc tập thể vì công ty giày nợ lương ba tháng tại Hải Phòng."),
    ("Công ty giày nợ lương, công nhân Hải Phòng tiếp tục đình công",
     "Cuộc đình công bước sang ngày thứ hai, công nhân đòi trả nợ lương và thưởng."),
    ("Hải Phòng: công nhân khu công nghiệp ngừng việc đòi nợ lương",
     "Hơn năm trăm công nhân ngừng việc, đình công vì doanh nghiệp nợ lương kéo dài."),
    ("Liên đoàn lao động Hải Phòng vào cuộc vụ đình công",
     "Công đoàn đối thoại với chủ doanh nghiệp về nợ lương, đình công tại khu công nghiệp."),
    ("Người lao động Hải Phòng bức xúc vì bị nợ lương trước Tết",
     "Công nhân phản ánh bị nợ lương, nợ bảo hiểm, nhiều người tham gia đình công."),
]


def _week_day(week: int, day: int) -> dt.datetime:
    date = FIRST_MONDAY + dt.timedelta(weeks=week, days=day)
    return dt.datetime(date.year, date.month, date.day, 9 + day % 8, 15, tzinfo=VN)


def synthetic_rows(seed: int = 7) -> tuple[list[Document], list[dict]]:
    """Documents and their enrichments (topics, scores, provinces, story ids)."""
    rng = random.Random(seed)
    docs, enrich = [], []
    fetched = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)

    def add(week, topic, province, title, body, story, source=None, second_topic=None, also_province=None):
        source = source or rng.choice(list(SOURCES))
        kind, default_province = SOURCES[source]
        url = f"https://tin.example.vn/{source}/{len(docs):04d}.html"
        name = f"nguoi-viet-{rng.randrange(40)}" if kind != "press" else None  # (draw order kept: pinned data)
        published = _week_day(week, rng.randrange(7))
        author = author_hash(name, SALT, week_label(published.date()), source) if name else None
        doc = Document(url=url, source=source, kind=kind, title=title, text=body, lead=None,
                       fetched_at=fetched, published_at=published,
                       author_hash=author, language="vi", default_province=default_province)
        topics = sorted({topic, second_topic} - {None})
        scores = {t: round(rng.uniform(0.02, 0.3), 3) for t in TEMPLATES}
        for t in topics:
            scores[t] = round(rng.uniform(0.55, 0.97), 3)
        if rng.random() < 0.15:  # a few close calls for the "least sure" list
            scores[rng.choice(list(TEMPLATES))] = round(rng.uniform(0.45, 0.55), 3)
        docs.append(doc)
        enrich.append({"doc_id": doc.doc_id, "content_hash": doc.content_hash, "topics": topics,
                       "scores": json.dumps(scores),
                       "provinces": [p for p in (province, also_province) if p],
                       "story_id": story})

    for week in range(WEEKS):
        for topic, (title, body) in TEMPLATES.items():
            for province in PROVINCES:
                # At most one everyday story per cell and week; labor x Hải Phòng stays quiet.
                if rng.random() < (0.2 if (topic, province) == ("labor", "Hải Phòng") else 0.35):
                    story = f"s-{week}-{topic}-{province}"
                    for _ in range(rng.choice([1, 1, 2])):
                        second = "complaints" if topic == "land" and rng.random() < 0.3 else None
                        add(week, topic, province, title.format(p=province), body.format(p=province), story,
                            second_topic=second)
        add(week, "labor", None, "Thị trường lao động cả nước", "Số liệu lao động việc làm quý ba.", f"s-{week}-national")
    # One story naming two provinces: each province's cell counts it, the topic's total once.
    add(WEEKS - 1, "safety", "Quảng Ninh", "Bão số 9 đổ bộ Quảng Ninh và Hải Phòng, nhiều nhà tốc mái",
        "Bão gây mưa lớn, cây đổ, nhiều nhà tốc mái ở Quảng Ninh và Hải Phòng.", "storm-9",
        source="tin-thu-do", also_province="Hải Phòng")
    for i, (title, body) in enumerate(PLANTED):
        for j, source in enumerate(["bao-cang", "nguoi-lao-dong-online", "dien-dan-dan-sinh", "tin-thu-do"][: 2 + i % 3]):
            add(WEEKS - 1, "labor", "Hải Phòng", title, body, f"planted-{i}", source=source)
    return docs, enrich


def _hotspots(con) -> pd.DataFrame:
    """A simpler stand-in for `dulun hotspots`' rows (same columns, same flag rule): each
    cell-week against the mean of its previous 8 weeks, Poisson tail probability, flagged at
    p <= 0.001 with >= 3 stories; a flagged cell with no earlier story is `new`."""
    from scipy.stats import poisson

    cells = con.execute(
        """
        SELECT iso_week, topic, province, count(DISTINCT doc_id) AS documents,
               count(DISTINCT story_id) AS stories, count(DISTINCT source) AS sources
        FROM document_topic_places WHERE province <> '(none)' GROUP BY ALL
        """
    ).df()
    weeks = sorted(cells["iso_week"].unique())
    grid = cells.pivot_table(index="iso_week", columns=["topic", "province"], values="stories", fill_value=0).reindex(weeks, fill_value=0)
    baseline = grid.shift(1).rolling(8, min_periods=4).mean()
    rows = []
    for _, cell in cells.iterrows():
        base = baseline.loc[cell["iso_week"], (cell["topic"], cell["province"])]
        if pd.isna(base):
            continue
        p = float(poisson.sf(cell["stories"] - 1, max(base, 0.5)))
        flagged = p <= 0.001 and cell["stories"] >= 3
        year, week = int(cell["iso_week"][:4]), int(cell["iso_week"][-2:])
        rows.append({**cell.to_dict(), "week_start": dt.date.fromisocalendar(year, week, 1), "baseline": base,
                     "p_value": p, "score": -math.log10(max(p, 1e-300)),
                     "level": "new" if flagged else None})
    return pd.DataFrame(rows)


def build_synthetic_db(path: Path, labels: bool = True) -> Path:
    docs, enrich = synthetic_rows()
    with store.open_writer(path, lock_timeout_s=5) as db:
        upsert_documents(db.con, docs)
        enrichments = pd.DataFrame(enrich)
        db.con.register("new_enrichments", enrichments)
        db.con.execute(
            f"""
            INSERT INTO enrichments (doc_id, model_version, content_hash, language, topics, scores, provinces, story_id, enriched_at)
            SELECT doc_id, '{MODEL}', content_hash, 'vi', topics, CAST(scores AS JSON), provinces, story_id,
                   TIMESTAMPTZ '2026-11-23 08:00:00+07'
            FROM new_enrichments
            """
        )
        db.con.unregister("new_enrichments")
        record_model(db.con, "topics", MODEL, None, {"training": "synthetic", "library": "scikit-learn"},
                     dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
        spots = _hotspots(db.con)
        db.con.register("new_hotspots", spots)
        db.con.execute(
            """
            INSERT INTO hotspots (iso_week, week_start, topic, province, documents, stories, sources,
                                  baseline, score, p_value, level, computed_at)
            SELECT iso_week, week_start, topic, province, documents, stories, sources,
                   baseline, score, p_value, level, TIMESTAMPTZ '2026-11-23 06:30:00+07'
            FROM new_hotspots
            """
        )
        db.con.unregister("new_hotspots")
        if labels:
            # Analysts labeled every 6th document; every 4th of those they judged differently.
            labeled = pd.DataFrame(enrich[::6])
            labeled["label_topics"] = [
                ["complaints"] if i % 4 == 0 else topics for i, topics in enumerate(labeled["topics"])
            ]
            db.con.register("new_labels", labeled[["doc_id", "label_topics"]])
            db.con.execute(
                "INSERT INTO labels SELECT doc_id, label_topics, NULL, TIMESTAMPTZ '2026-11-20 10:00:00+07' FROM new_labels"
            )
            db.con.unregister("new_labels")
    return path


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory, role_model_dir) -> Path:
    """The synthetic database with its issue threads linked by the follow-up stage, as of the
    Monday after its last week."""
    from core.settings import Settings
    from pipeline.followup import run_followup

    path = build_synthetic_db(tmp_path_factory.mktemp("synthetic") / "dulun.duckdb")
    settings = Settings.model_validate({"data_dir": str(path.parent), "db_path": str(path),
                                        "nlp": {"model_dir": str(role_model_dir)}})
    run_followup(settings, now=dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN))
    return path


@pytest.fixture(scope="session")
def unlabeled_db(tmp_path_factory) -> Path:
    return build_synthetic_db(tmp_path_factory.mktemp("unlabeled") / "dulun.duckdb", labels=False)


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "dulun.duckdb"
    with store.open_writer(path, lock_timeout_s=5):
        pass
    return path
