"""Hot-spot detector benchmark: detection quality on a simulated timeline and speed at 5 million
enriched documents, against a naive pandas-and-loop baseline measured in the same run.

    PYTHONPATH=. python bench/bench_hotspots.py            # full: 5,000,000 documents
    PYTHONPATH=. python bench/bench_hotspots.py --docs 500000 --quick

Writes bench/results/hotspots.json.

Quality: `bench.simulate` plants bursts of max(min_extra, 2 x rate) extra stories in
distinct topic x province cells over 6 evaluated weeks (after 10 weeks of history, 34 provinces
x 12 topics, 600 stories a week, gamma-Poisson noise); we report recall of planted burst weeks
and false alarms (flagged cells without a planted burst) per 100 quiet cell-weeks, with the
default settings, for several seeds and burst sizes.

Speed: `n` documents with enrichments generated in DuckDB SQL spread over exactly the weeks one
computation reads (the week, the week before, and the baseline weeks), so every row is counted;
the story index is built from scratch (timed apart: cycles keep it up to date, see
bench_detect.py), then `pipeline.hotspots.compute` for the last week is timed (best of 3). The naive baseline
pulls the rows into pandas and loops over cells in Python; it runs on a smaller slice and both
are compared per row.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import cpus  # noqa: E402
from core.settings import HotspotSettings  # noqa: E402
from core.taxonomy import TOPICS  # noqa: E402
from pipeline.hotspots import compute  # noqa: E402
from bench.simulate import PROVINCES, SimulationSpec, score_detector, simulate  # noqa: E402
from store import open_writer  # noqa: E402
from store.detections import rebuild_story_index  # noqa: E402
from bench.synthetic import generate_synthetic_corpus, insert_synthetic_items  # noqa: E402
from core.timeutil import vn_midnight  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "hotspots.json"
TARGET_MONDAY = dt.date(2026, 11, 16)  # 2026-W47


def quality(seeds: list[int], sizes: list[int], folder: Path) -> dict:
    cfg = HotspotSettings()
    runs = []
    for size in sizes:
        for seed in seeds:
            sim = simulate(SimulationSpec(seed=seed, burst_min_extra=size))
            with open_writer(folder / f"sim-{size}-{seed}.duckdb") as store:
                insert_synthetic_items(store.con, sim.items)
                score = score_detector(store.con, sim, cfg)
            runs.append({"seed": seed, "burst_min_extra": size, **score.as_dict()})
            print(f"  burst >= {size:2d}, seed {seed:3d}: recall {score.recall:.3f}, "
                  f"false alarms {score.false_alarms_per_100:.2f}/100 quiet cells", flush=True)
    by_size = {}
    for size in sizes:
        chosen = [r for r in runs if r["burst_min_extra"] == size]
        planted = sum(r["planted"] for r in chosen)
        quiet = sum(r["quiet_cell_weeks"] for r in chosen)
        by_size[str(size)] = {
            "recall": round(sum(r["detected"] for r in chosen) / planted, 4),
            "false_alarms_per_100_quiet": round(100 * sum(r["false_alarms"] for r in chosen) / quiet, 3),
            "planted": planted, "quiet_cell_weeks": quiet,
        }
    return {"settings": cfg.model_dump(), "runs": runs, "pooled_by_burst_min_extra": by_size}


def naive_hotspots(con, monday: dt.date, cfg: HotspotSettings) -> pd.DataFrame:
    """What one would write first: pull every row into pandas, loop over cells in Python."""
    start = vn_midnight(monday - dt.timedelta(weeks=cfg.baseline_weeks + 1))
    rows = con.execute(
        "SELECT doc_id, source, story_id, topic, province, published_day FROM document_topic_places "
        "WHERE published_at >= ? AND published_at < ?", [start, vn_midnight(monday + dt.timedelta(weeks=1))]
    ).df()
    rows["week"] = pd.to_datetime(rows.published_day).dt.to_period("W-SUN").dt.start_time.dt.date
    out = []
    for (topic, province), cell in rows.groupby(["topic", "province"]):
        weekly = {}
        for week, part in cell.groupby("week"):
            weekly[week] = part.story_id.fillna(part.doc_id).nunique()
        history = [weekly.get(monday - dt.timedelta(weeks=k), 0) for k in range(1, cfg.baseline_weeks + 1)]
        x = weekly.get(monday, 0)
        lam = max(sum(history) / len(history), 0.05)
        out.append((topic, province, x, lam, float(stats.poisson.sf(x - 1, lam))))
    return pd.DataFrame(out, columns=["topic", "province", "stories", "baseline", "p_value"])


def _timed_case(path: Path, n: int, first: dt.date, days: int, cfg: HotspotSettings, naive: bool = False,
                reenriched: float = 0.0, retagged: float = 0.0) -> dict:
    t0 = time.perf_counter()
    with open_writer(path) as store:
        generate_synthetic_corpus(store.con, n, first, days, TOPICS, PROVINCES, reenriched_share=reenriched,
                                  retagged_share=retagged)
        made = time.perf_counter() - t0
        # The story index detection reads, built from scratch (cycles keep it up to date: bench_detect).
        t0 = time.perf_counter()
        rebuild_story_index(store.con, dt.datetime.now(dt.timezone.utc))
        indexed = time.perf_counter() - t0
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    start = vn_midnight(TARGET_MONDAY - dt.timedelta(weeks=cfg.baseline_weeks + 1))
    in_window = con.execute("SELECT count(*) FROM documents WHERE published_at >= ? AND published_at < ?",
                            [start, vn_midnight(TARGET_MONDAY + dt.timedelta(weeks=1))]).fetchall()[0][0]
    timings, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        frame = compute(con, TARGET_MONDAY, cfg)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    entry = {"documents": n, "documents_in_computed_weeks": int(in_window), "spread_days": days,
             "reenriched_share": reenriched, "retagged_share": retagged,
             "generate_s": round(made, 1), "index_from_scratch_s": round(indexed, 2),
             "compute_s_best_of_3": round(min(timings), 3),
             "compute_s_all": [round(t, 3) for t in timings],
             # CPU seconds over all DuckDB threads: what the work costs when the machine is shared
             "compute_cpu_s_min": round(min(cpu), 3), "cells": int(len(frame)),
             "flagged": int(frame.level.isin(["new", "rising", "persistent"]).sum())}
    if naive:
        t0 = time.perf_counter()
        entry["naive_cells"] = int(len(naive_hotspots(con, TARGET_MONDAY, cfg)))
        entry["naive_s"] = round(time.perf_counter() - t0, 3)
    con.close()
    path.unlink()
    return entry


def speed(n_docs: int, naive_docs: int, folder: Path) -> dict:
    """Four cases: a database of n documents over two years (a week's computation reads its ten
    weeks); the stress case of all n documents inside those ten weeks (every row counted), with
    one model version and with a tenth of the documents re-enriched by a second model; and a
    small slice timed against the naive baseline."""
    cfg = HotspotSettings()
    weeks = cfg.baseline_weeks + 2
    window_first = TARGET_MONDAY - dt.timedelta(weeks=weeks - 1)
    two_years_first = TARGET_MONDAY - dt.timedelta(weeks=103)
    cases = {
        "stored_over_two_years": (n_docs, two_years_first, 104 * 7, False, 0.0, 0.0),
        "all_in_computed_weeks": (n_docs, window_first, weeks * 7, False, 0.0, 0.0),
        # After a retrain: a tenth of the documents carry the newer model's tags (one enrichment each).
        "all_in_computed_weeks_two_models": (n_docs, window_first, weeks * 7, False, 0.0, 0.1),
        # Left-over second enrichments (written before the NLP stage replaced older tags): ranked.
        "all_in_computed_weeks_duplicate_enrichments": (n_docs, window_first, weeks * 7, False, 0.1, 0.0),
        "slice_vs_naive": (naive_docs, window_first, weeks * 7, True, 0.0, 0.0),
    }
    results = {}
    for label, (n, first, days, naive, reenriched, retagged) in cases.items():
        results[label] = entry = _timed_case(folder / f"speed-{label}.duckdb", n, first, days, cfg, naive,
                                             reenriched, retagged)
        print(f"  {label}: {n:,} documents ({entry['documents_in_computed_weeks']:,} in the computed weeks), "
              f"compute {entry['compute_s_best_of_3']:.2f} s (cpu {entry['compute_cpu_s_min']:.2f} s)"
              + (f", naive {entry['naive_s']:.2f} s" if naive else ""), flush=True)
    part = results["slice_vs_naive"]
    stress = results["all_in_computed_weeks"]
    naive_per_row = part["naive_s"] / part["documents"]
    results["speedup_vs_naive_same_slice"] = round(part["naive_s"] / part["compute_s_best_of_3"], 1)
    results["speedup_per_row_stress_vs_naive"] = round(naive_per_row / (stress["compute_s_best_of_3"] / stress["documents"]), 1)
    results["naive_extrapolated_to_stress_s"] = round(naive_per_row * stress["documents"], 1)
    results["goal_s"] = 5.0
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]  # other jobs share the cores
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5_000_000)
    parser.add_argument("--naive-docs", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="one seed and one burst size")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-hotspots-") as tmp:
        print("detection on the simulated timeline (default settings):", flush=True)
        seeds, sizes = ([11], [8]) if args.quick else ([7, 11, 23, 31, 47], [6, 8, 10])
        q = quality(seeds, sizes, Path(tmp))
        print(f"speed at {args.docs:,} documents:", flush=True)
        s = speed(args.docs, args.naive_docs, Path(tmp))
    result = {
        "benchmark": "hotspots", "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "duckdb": duckdb.__version__, "cpus": cpus()},
        "detection": q, "speed": s,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"pooled": q["pooled_by_burst_min_extra"], "speed": s}, indent=2))
    print(f"written {args.out}")
    return result


if __name__ == "__main__":
    main()
