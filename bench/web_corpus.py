"""A generated database shaped like a year or two of dulun's real intake, for the workbench bench.

`generate(path, n)` writes `n` documents with enrichments in DuckDB SQL (range(), no Python
loop): Vietnamese titles, leads and bodies drawn from a vocabulary with tone marks, where each
document's topic brings its own phrases ("đình công", "nợ lương" for labor) and its province's
name appears in the title or lead, so searches such as "đình công hải phòng" match a realistic
share; skewed province volumes (big cities carry most items), about one document in three in a
story with others, 200 sources, press/post/petition kinds, publication times spread over
`days` days ending the day before `today`. Plus crawl runs, failures and hot-spot rows, so every
page has something to show.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.simulate import PROVINCES, TOPICS
from store import open_writer
from store.db import transaction

COMMON = """
người dân cho biết hiện nay thời gian qua tình trạng đã đang sẽ nhiều địa phương chính quyền cơ quan chức năng
kiểm tra xử lý trách nhiệm theo phản ánh sau khi trong khi tuy nhiên ngoài ra đồng thời bên cạnh đó vấn đề
khu vực thành phố phường xã thôn tổ dân phố trường hợp kết quả yêu cầu đề nghị kế hoạch triển khai thực hiện
báo cáo thông tin lãnh đạo ủy ban nhân dân sở ban ngành doanh nghiệp hộ gia đình cuộc sống hằng ngày
""".split()

TOPIC_PHRASES = {
    "land": ["đất đai", "giải phóng mặt bằng", "bồi thường", "thu hồi đất", "tái định cư", "sổ đỏ"],
    "labor": ["công nhân", "đình công", "nợ lương", "ngừng việc", "bảo hiểm xã hội", "người lao động"],
    "complaints": ["khiếu nại", "tố cáo", "kiến nghị", "đơn thư", "tiếp công dân", "bức xúc"],
    "environment": ["ô nhiễm", "nước thải", "rác thải", "khói bụi", "môi trường", "mùi hôi"],
    "construction": ["xây dựng trái phép", "lấn chiếm", "giấy phép xây dựng", "cưỡng chế", "trật tự đô thị", "công trình"],
    "corruption": ["tham nhũng", "nhận hối lộ", "sai phạm", "thất thoát", "khởi tố", "lãng phí"],
    "infrastructure": ["dự án", "chậm tiến độ", "đường giao thông", "cầu", "ngập úng", "hạ tầng"],
    "safety": ["cháy nổ", "tai nạn", "sạt lở", "lũ lụt", "sự cố", "thiên tai"],
    "health": ["bệnh viện", "dịch bệnh", "ngộ độc thực phẩm", "thiếu thuốc", "sốt xuất huyết", "y tế"],
    "education": ["học sinh", "giáo viên", "trường học", "học phí", "thi cử", "lạm thu"],
    "livelihood": ["giá cả", "tăng giá", "đời sống", "an sinh", "hộ nghèo", "trợ cấp"],
    "public_order": ["trộm cắp", "cướp giật", "đánh nhau", "an ninh trật tự", "ma túy", "lừa đảo"],
}


def generate(path: Path, n_docs: int, today: dt.date, days: int = 730, n_sources: int = 200,
             seed: float = 0.15) -> None:
    """Write the corpus into a new database at `path` (created and migrated)."""
    first = today - dt.timedelta(days=days)
    phrases = [TOPIC_PHRASES[t] for t in TOPICS]
    params = {"n": n_docs, "first": dt.datetime.combine(first, dt.time(0)), "secs": days * 86400,
              "topics": list(TOPICS), "provinces": list(PROVINCES), "nsrc": n_sources,
              "common": COMMON, "phrases": phrases}
    with open_writer(path) as store:
        con = store.con
        con.execute("SELECT setseed(?)", [seed])
        with transaction(con):
            con.execute(
                """
                CREATE TEMP TABLE synth AS
                WITH base AS (
                    SELECT i,
                           printf('w%012d', i) AS doc_id,
                           'src-' || CAST(floor(pow(random(), 1.5) * $nsrc) AS INTEGER) AS source,
                           CASE WHEN random() < 0.75 THEN 'press' WHEN random() < 0.8 THEN 'post' ELSE 'petition' END AS kind,
                           CAST($first AS TIMESTAMPTZ) + to_seconds(CAST(floor(random() * $secs) AS BIGINT)) AS published_at,
                           1 + CAST(floor(random() * len($topics)) AS INTEGER) AS ti,
                           list_element($provinces, 1 + CAST(floor(pow(random(), 2.5) * len($provinces)) AS INTEGER)) AS province,
                           CASE WHEN random() < 0.33 THEN printf('st%010d', i // 3) ELSE NULL END AS story_id
                    FROM range($n) r(i)
                )
                SELECT *, list_element($topics, ti) AS topic,
                       list_element(list_element($phrases, ti), 1 + CAST(floor(random() * 6) AS INTEGER)) AS p1,
                       list_element(list_element($phrases, ti), 1 + CAST(floor(random() * 6) AS INTEGER)) AS p2,
                       list_element(list_element($phrases, ti), 1 + CAST(floor(random() * 6) AS INTEGER)) AS p3
                FROM base
                """,
                {k: v for k, v in params.items() if k != "common"},
            )
            words = "list_element($common, 1 + CAST(floor(random() * len($common)) AS INTEGER))"
            con.execute(
                f"""
                INSERT INTO documents (doc_id, source, kind, url, title, lead, text, published_at, fetched_at,
                                       updated_at, content_hash)
                SELECT doc_id, source, kind, 'https://' || source || '.example.vn/tin/' || doc_id || '.html',
                       upper(p1[1]) || p1[2:] || ' ở ' || province || ': ' || {words} || ' ' || {words} || ' ' || p2,
                       province || ' – ' || array_to_string(list_transform(range(14), lambda x: {words}), ' ') || ' ' || p3 || ' ' || p1,
                       array_to_string(list_transform(range(90), lambda x: CASE WHEN x % 23 = 5 THEN p2 WHEN x % 31 = 7 THEN province
                                                                          ELSE {words} END), ' ') || '.',
                       published_at, published_at + INTERVAL 20 MINUTE, published_at + INTERVAL 20 MINUTE, 'h' || doc_id
                FROM synth
                """,
                {"common": COMMON},
            )
            con.execute(
                """
                INSERT INTO enrichments (doc_id, model_version, content_hash, language, topics, scores, provinces,
                                         story_id, enriched_at)
                SELECT doc_id, 'synth', 'h' || doc_id, 'vi', [topic],
                       CAST(json_object(topic, 0.5 + random() / 2) AS JSON), [province], story_id,
                       published_at + INTERVAL 30 MINUTE
                FROM synth
                """
            )
            con.execute(
                """
                INSERT INTO sources SELECT DISTINCT source, 'feed', 'press', 'https://' || source || '.example.vn',
                       NULL, NULL, now() FROM synth
                """
            )
            con.execute("DROP TABLE synth")
        _crawl_history(con, today)


def _crawl_history(con, today: dt.date) -> None:
    """A week of crawl runs for every source, some with failures: the Sources page's material."""
    with transaction(con):
        con.execute(
            """
            INSERT INTO crawl_runs (source, started_at, finished_at, status, pages_ok, pages_failed, items_stored, failures)
            SELECT name, CAST($day AS TIMESTAMPTZ) - to_hours(h), CAST($day AS TIMESTAMPTZ) - to_hours(h) + INTERVAL 3 MINUTE,
                   CASE WHEN random() < 0.03 THEN 'failed' ELSE 'ok' END, 20, CAST(random() < 0.1 AS INTEGER), 15, '{}'
            FROM sources CROSS JOIN range(0, 168, 6) t(h)
            """,
            {"day": dt.datetime.combine(today, dt.time(6))},
        )
        con.execute(
            """
            INSERT INTO fetch_failures (run_id, source, url, cause, detail, failed_at)
            SELECT run_id, source, 'https://' || source || '.example.vn/x', 
                   list_element(['http_404', 'timeout', 'http_500', 'parse_error'], 1 + CAST(floor(random() * 4) AS INTEGER)),
                   NULL, started_at
            FROM crawl_runs WHERE pages_failed > 0
            """
        )
