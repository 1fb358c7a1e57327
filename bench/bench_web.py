"""Workbench benchmark: server time per page and per search on a generated database, beside the
naive search (an ILIKE scan over DuckDB) in the same run, and pages while a writer works.

    PYTHONPATH=. python bench/bench_web.py                   # 1,000,000 documents
    PYTHONPATH=. python bench/bench_web.py --docs 100000     # quicker
    PYTHONPATH=. python bench/bench_web.py --keep /var/tmp/dulun-bench   # reuse the generated files

Writes bench/results/web.json.

The corpus (bench/web_corpus.py): Vietnamese titles, leads and bodies, 200 sources, skewed
provinces, stories, two years ending 2026-11-22; hot spots computed for its last three weeks;
the search index built by `store.search_index.update_index` (its build time is reported).

Pages are requested over HTTP from the workbench under uvicorn on 127.0.0.1, exactly as
`dulun serve --now 2026-11-23T08:00+07:00` builds it; the server's own time comes from its
Server-Timing header. Every request of a kind has different parameters (other days, cells,
topics, stories, queries). "Cold": the server's once-per-database-state memo (Today's digest,
the map's 8-week heat map, the review list) is emptied before each request. "As served":
Today's default day, the map and the review list as the server keeps them, warmed by its
background thread once the database settles after a change; every other page is cold anyway.

Searches: 40 queries, with and without tone marks, with filters (topic, province, source,
kind, period); the naive baseline answers each the obvious way: `strip_accents(lower(...))
LIKE '%...%'` over title, lead and body in DuckDB, the same filters, newest first and the
counts per week, on the same machine in the same run.

While a writer works: a second process writes crawl-sized batches (20 documents, every 2 s,
through `store.db.writer_session`, the crawl's own path) while the pages are requested again;
the page times then include waiting for a batch, and the writer reports how long each batch
waited for the pages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.web_corpus import generate  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.timeutil import VN  # noqa: E402
from bench.simulate import PROVINCES, TOPICS  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "web.json"
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)
QUERIES = ["đình công", "dinh cong hai phong", "nợ lương", "ô nhiễm nước thải", "giai phong mat bang",
           "tham nhũng", "ngập úng", "học phí", "tai nạn", "sạt lở", "bệnh viện", "người lao động",
           "cưỡng chế", "tăng giá", "cong nhan", "khiếu nại", "rác thải", "ma túy", "cháy nổ", "bồi thường"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 95), 1),
            "max_ms": round(max(values), 1)}


# ---------------------------------------------------------------- the corpus

def prepare(folder: Path, n_docs: int) -> tuple[Settings, dict]:
    """Generate (or reuse) the database, its hot spots and its search index."""
    from pipeline.detect import run_detect
    from pipeline.hotspots import run_hotspots
    from store import open_writer
    from store.search_index import update_index

    db = folder / f"web-{n_docs}.duckdb"
    info_file = folder / f"web-{n_docs}.json"
    settings = Settings(data_dir=folder / f"web-{n_docs}-data", db_path=db)
    if db.is_file() and info_file.is_file():
        with open_writer(db):
            pass  # migrations of a database kept from an earlier version
        t0 = time.perf_counter()
        update_index(db)  # a sidecar kept from an earlier version gains what it lacks (its day cells)
        info = json.loads(info_file.read_text())
        info["index_catch_up_s"] = round(time.perf_counter() - t0, 1)
        return settings, info
    for stale in folder.glob(f"web-{n_docs}*"):
        stale.unlink() if stale.is_file() else None
    info: dict = {"documents": n_docs}
    t0 = time.perf_counter()
    generate(db, n_docs, TODAY)
    info["generate_s"] = round(time.perf_counter() - t0, 1)
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        run_hotspots(settings, week=week, now=NOW)
    run_detect(settings, NOW)  # what is rising now, as the cycle stores it
    t0 = time.perf_counter()
    built = update_index(db, batch=10_000)
    info["index_build_s"] = round(time.perf_counter() - t0, 1)
    info["index_build_docs_per_s"] = round(built.indexed / info["index_build_s"])
    info_file.write_text(json.dumps(info))
    return settings, info


def index_upkeep(settings: Settings) -> dict:
    """An update with nothing new, then one after 1,000 new documents arrive."""
    from store import open_writer
    from store.search_index import index_path, update_index

    t0 = time.perf_counter()
    update_index(settings.database)
    nothing = time.perf_counter() - t0
    with open_writer(settings.database) as store:
        store.con.execute("""
            INSERT INTO documents (doc_id, source, kind, url, title, lead, text, published_at, fetched_at, updated_at, content_hash)
            SELECT 'new' || i || '-' || epoch_ms(now()), 'src-1', 'press', 'https://src-1.example.vn/new/' || i || '-' || epoch_ms(now()),
                   'Công nhân đình công đòi trả lương ' || i, 'Hải Phòng – tin mới', 'Nội dung tin mới số ' || i,
                   TIMESTAMPTZ '2026-11-22 10:00:00+07', now(), now(), 'hnew' || i FROM range(1000) r(i)
        """)
    t0 = time.perf_counter()
    added = update_index(settings.database)
    return {"no_change_s": round(nothing, 2), "after_1000_new_s": round(time.perf_counter() - t0, 2),
            "indexed": added.indexed, "sidecar_mb": round(index_path(settings.database).stat().st_size / 2**20),
            "database_mb": round(settings.database.stat().st_size / 2**20)}


# ---------------------------------------------------------------- the requests

def page_urls(rng: random.Random, stories: list[str], docs: list[str]) -> dict[str, list[str]]:
    q = urllib.parse.urlencode
    cells = [(rng.choice(TOPICS), rng.choice(PROVINCES[:12])) for _ in range(20)]
    return {
        "today": [f"/?{q({'day': (TODAY - dt.timedelta(days=d)).isoformat()})}" for d in range(1, 21)],
        "hotspots": [f"/hotspots?week={w}" for w in ("2026-W47", "2026-W46", "2026-W45")] * 3,
        "cell": [f"/hotspots/cell?{q({'week': rng.choice(['2026-W47', '2026-W46']), 'topic': t, 'province': p})}"
                 for t, p in cells],
        "map": [f"/map?{q({'topic': rng.choice(TOPICS), 'days': rng.choice(['7', '30', '90']), 'measure': rng.choice(['stories', 'level'])})}"
                for _ in range(20)],
        "story": [f"/story/{s}" for s in stories],
        "document": [f"/doc/{d}" for d in docs],
        "sources": ["/sources"] * 5,
        "alerts": ["/alerts"] * 5,
        "review": ["/review"] * 5,
    }


def search_cases(rng: random.Random) -> list[dict]:
    cases = []
    for i, text in enumerate(QUERIES):
        case = {"q": text}
        kind = i % 5
        if kind == 1:
            case["topic"] = rng.choice(TOPICS)
        elif kind == 2:
            case["province"] = rng.choice(PROVINCES[:10])
        elif kind == 3:
            case["from"], case["to"] = "2026-09-01", "2026-11-22"
        elif kind == 4:
            case["source"], case["kind"] = f"src-{rng.randrange(20)}", "press"
        cases.append(case)
    return cases


def server_ms(base: str, path: str) -> float:
    with urllib.request.urlopen(base + path, timeout=120) as resp:
        resp.read()
        assert resp.status == 200, path
        timing = resp.headers["Server-Timing"]
    return float(timing.split("dur=")[1])


def time_pages(base: str, urls: dict[str, list[str]], memo) -> dict[str, list[float]]:
    """Every request a cold computation: the memo (Today's digest, the map's heat map per
    database state) is emptied first."""
    out: dict[str, list[float]] = {}
    for kind, paths in urls.items():
        for path in paths:
            memo._items.clear()
            out.setdefault(kind, []).append(server_ms(base, path))
    return out


def time_as_served(base: str, workbench, urls: dict[str, list[str]]) -> dict[str, list[float]]:
    """Today (the default day) and the map as the server keeps them: warmed by its background
    thread once the database settles after a change."""
    from dulun.web.pages import warm_pages

    warm_pages(workbench)
    return {"today_default_day": [server_ms(base, "/") for _ in range(10)],
            "map": [server_ms(base, path) for path in urls["map"]],
            "review": [server_ms(base, path) for path in urls["review"]]}


# ---------------------------------------------------------------- the naive search

def naive_search(con, case: dict, phrases: list[list[str]], places: dict[str, str]) -> tuple[int, list]:
    """What one writes first: an accent-folded LIKE over every document's text, the filters as
    joins, newest first, counts per week."""
    conditions, params = [], []
    for phrase in phrases:
        joined = " ".join(phrase)
        text = ("strip_accents(lower(replace(replace(coalesce(d.title, '') || ' ' || coalesce(d.lead, '') || ' ' || "
                "coalesce(d.text, ''), 'đ', 'd'), 'Đ', 'D'))) LIKE ?")
        if joined in places:
            conditions.append(f"({text} OR list_contains(e.provinces, ?))")
            params += [f"%{joined}%", places[joined]]
        else:
            conditions.append(text)
            params.append(f"%{joined}%")
    for key, column in (("topic", "topics"), ("province", "provinces")):
        if case.get(key):
            conditions.append(f"list_contains(e.{column}, ?)")
            params.append(case[key])
    for key in ("source", "kind"):
        if case.get(key):
            conditions.append(f"d.{key} = ?")
            params.append(case[key])
    if case.get("from"):
        conditions += ["d.published_at >= ?", "d.published_at < ?"]
        params += [dt.datetime.fromisoformat(case["from"]).replace(tzinfo=VN),
                   dt.datetime.fromisoformat(case["to"]).replace(tzinfo=VN) + dt.timedelta(days=1)]
    where = " AND ".join(conditions) or "TRUE"
    rows = con.execute(f"""
        WITH hits AS (SELECT d.doc_id, d.title, d.published_at FROM documents d
                      LEFT JOIN current_enrichments e USING (doc_id) WHERE {where})
        SELECT (SELECT list({{'week': w, 'n': n}}) FROM (SELECT date_trunc('week', published_at) AS w, count(*) AS n
                                                        FROM hits GROUP BY 1)),
               (SELECT list(doc_id ORDER BY published_at DESC) FROM (SELECT * FROM hits ORDER BY published_at DESC LIMIT 20))
    """, params).fetchall()
    weeks, top = rows[0]
    return sum(w["n"] for w in weeks or []), top or []


# ---------------------------------------------------------------- a writer at work

WRITER = r"""
import datetime as dt, sys, time, json
from store import writer_session
from store.documents import upsert_documents
from core.records import Document
db, seconds = sys.argv[1], float(sys.argv[2])
waits, n, stop = [], 0, time.monotonic() + seconds
with writer_session(db, 60) as session:
    while time.monotonic() < stop:
        docs = [Document(url=f"https://bench-writer.example.vn/{time.time_ns()}-{i}", source="bench-writer", kind="press",
                         title=f"Tin đang thu thập {n}-{i}", text="Nội dung.", fetched_at=dt.datetime.now(dt.timezone.utc),
                         published_at=dt.datetime(2026, 11, 22, 9, tzinfo=dt.timezone.utc)) for i in range(20)]
        t0 = time.perf_counter()
        with session.batch() as con:
            waited = time.perf_counter() - t0
            upsert_documents(con, docs)
        waits.append((waited, time.perf_counter() - t0))
        n += 1
        time.sleep(2.0)
print(json.dumps({"batches": n, "waits": waits}))
"""


def pages_while_writing(base: str, settings: Settings, urls: dict[str, list[str]], memo, seconds: float) -> dict:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(settings.database), str(seconds)],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    times: list[float] = []
    stop = time.monotonic() + seconds
    paths = [p for kind in ("today", "cell", "map", "story", "document", "sources", "review") for p in urls[kind][:4]]
    while time.monotonic() < stop:
        for path in paths:
            memo._items.clear()
            started = time.perf_counter()
            server_ms(base, path)
            times.append((time.perf_counter() - started) * 1000)  # client time: includes waiting for a batch
    out, _ = writer.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    waits = [w for w, _ in result["waits"]]
    held = [h for _, h in result["waits"]]
    return {"page_requests": len(times), **{f"page_{k}": v for k, v in summary(times).items()},
            "writer_batches": result["batches"], "batch_wait_for_readers_ms_max": round(1000 * max(waits), 1),
            "batch_wait_for_readers_ms_p50": round(1000 * statistics.median(waits), 1),
            "batch_file_open_ms_p50": round(1000 * statistics.median(held), 1)}


# ---------------------------------------------------------------- main

class _Served:
    def __init__(self, settings: Settings):
        import socket

        import uvicorn

        from dulun.web.server import build

        self.app, self.stop = build(settings, "127.0.0.1", pinned_now=NOW, update_index=False)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run_bench(folder: Path, n_docs: int, writer_seconds: float, naive_queries: int = 20) -> dict:
    import duckdb

    from dulun.web.query import place_phrases, search_phrases

    settings, info = prepare(folder, n_docs)
    rng = random.Random(7)
    con = duckdb.connect(str(settings.database), read_only=True)
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    stories = [r[0] for r in con.execute("SELECT story_id FROM enrichments WHERE story_id IS NOT NULL USING SAMPLE 20 ROWS").fetchall()]
    docs = [r[0] for r in con.execute("SELECT doc_id FROM documents USING SAMPLE 20 ROWS").fetchall()]
    con.close()
    urls = page_urls(rng, stories, docs)
    cases = search_cases(rng)
    result = {"corpus": info, "load_average_at_start": os.getloadavg()}
    with _Served(settings) as served:
        base = f"http://127.0.0.1:{served.port}"
        memo = served.app.state.workbench.memo
        server_ms(base, "/search?q=kh%E1%BB%9Fi+%C4%91%E1%BB%99ng")  # load the word segmenter once
        pages = time_pages(base, urls, memo)
        served = time_as_served(base, served.app.state.workbench, urls)
        searches = [server_ms(base, "/search?" + urllib.parse.urlencode(case)) for case in cases]
        during = pages_while_writing(base, settings, urls, memo, writer_seconds) if writer_seconds else None
    provinces = tuple(PROVINCES)
    con = duckdb.connect(str(settings.database), read_only=True)
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    naive = []
    for case in cases[:naive_queries]:
        phrases = search_phrases(case["q"], provinces)
        started = time.perf_counter()
        naive_search(con, case, phrases, place_phrases(phrases, provinces))
        naive.append((time.perf_counter() - started) * 1000)
    con.close()
    all_pages = [t for values in pages.values() for t in values]
    kept_warm = {**{k: v for k, v in pages.items() if k not in ("today", "map", "review")}, **served}
    result.update({
        "pages_cold": summary(all_pages),
        "pages_by_kind_cold": {k: summary(v) for k, v in pages.items()},
        "pages_as_served": summary([t for values in kept_warm.values() for t in values]),
        "pages_by_kind_as_served": {k: summary(v) for k, v in served.items()},
        "searches": summary(searches),
        "naive_ilike_searches": summary(naive),
        "search_speedup_p50": round(statistics.median(naive) / statistics.median(searches[:naive_queries]), 1),
        "while_a_writer_works": during,
        "index_upkeep": index_upkeep(settings),
        "load_average_at_end": os.getloadavg(),
    })
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder for the generated database and index, reused when present")
    parser.add_argument("--writer-seconds", type=float, default=30.0, help="pages while a writer works (0: skip)")
    parser.add_argument("--naive-queries", type=int, default=20,
                        help="how many of the 20 searches the naive scan also answers (it takes tens of seconds each at 1M)")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run_bench(args.keep, args.docs, args.writer_seconds, args.naive_queries)
    else:
        with tempfile.TemporaryDirectory(prefix="dulun-bench-web-") as tmp:
            result = run_bench(Path(tmp), args.docs, args.writer_seconds, args.naive_queries)
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: result[k] for k in ("pages_cold", "pages_as_served", "searches", "naive_ilike_searches",
                                             "search_speedup_p50")}, indent=1))
    for label, table in (("cold", result["pages_by_kind_cold"]), ("as served", result["pages_by_kind_as_served"])):
        for kind, stats in table.items():
            print(f"  {label:9s} {kind:18s} p50 {stats['p50_ms']:7.1f} ms  p95 {stats['p95_ms']:7.1f} ms  max {stats['max_ms']:7.1f} ms")
    print("while a writer works:", result["while_a_writer_works"])
    print("index upkeep:", result["index_upkeep"], "corpus:", result["corpus"])
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
