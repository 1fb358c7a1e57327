"""Helpers the analysis notebooks share: read the DuckDB file, shape tables, draw charts.

Why every reader function takes the database *path* and opens its own read-only connection:
DuckDB lets a writer in only when no other process holds the file, so a notebook left open
all day must not keep a connection, or the scheduler's next crawl would find the database
busy. Opening a reader costs milliseconds.

Aggregate only: nothing here groups by, lists or shows a post author or a press byline;
`author_hash` is only ever counted as distinct voices.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

import store
from core.settings import CONFIG_ENV, load_settings
from core.timeutil import week_label, week_monday, week_range  # noqa: F401 (the notebooks call them from here)
from store import analysis as queries

DB_ENV = "DULUN_DB"
ALL = "(all)"
NO_PROVINCE = "(none)"  # what document_topic_places puts for a document with no province
NO_TOPIC = "(none)"
LEVEL_COLORS = {"new": "#d62728", "rising": "#ff7f0e", "persistent": "#9467bd", "cooling": "#1f77b4"}
LEVEL_MEANING = {  # as `dulun hotspots` sets them (pipeline/hotspots.py)
    "new": "flagged, and the cell had no stories at all in its history",
    "rising": "flagged, and not flagged the week before",
    "persistent": "flagged this week and the week before",
    "cooling": "flagged the week before, not any more",
}


# ---------------------------------------------------------------- the database

def database_path(environ: Mapping[str, str] | None = None, config: Path | str | None = None,
                  start: Path | None = None) -> Path:
    """`DULUN_DB` if set, else the settings' database (`dulun.toml`, `DULUN_DB_PATH`, defaults).

    Jupyter runs a kernel in the notebook's folder (`notebooks/`), while `dulun.toml` and the
    default `data/` sit at the project root; so, like git finding its repository, the config
    file and a relative database path are looked for in the working folder and then upwards.
    """
    environ = os.environ if environ is None else environ
    if environ.get(DB_ENV):
        return Path(environ[DB_ENV]).expanduser()
    start = Path.cwd() if start is None else Path(start)
    folders = [start, *start.parents]
    if config is None and not environ.get(CONFIG_ENV):
        config = next((f / "dulun.toml" for f in folders if (f / "dulun.toml").is_file()), None)
    path = load_settings(config, environ=environ).database
    if path.is_absolute():
        return path
    if config is not None:  # relative paths in a config file mean: next to that file
        folders.insert(0, Path(config).resolve().parent)
    return next((f / path for f in folders if (f / path).is_file()), folders[0] / path)


def read(db_path: Path, query: Callable, *args, **kwargs):
    """Run one `store.analysis` query on a short-lived read-only connection."""
    with store.open_reader(Path(db_path)) as db:
        return query(db.con, *args, **kwargs)


def overview(db_path: Path) -> pd.DataFrame:
    """Row counts of the tables the notebooks read, and the weeks the documents span."""
    sizes = read(db_path, queries.table_sizes)
    weeks = read(db_path, queries.document_weeks)
    sizes["first week"] = weeks[0] if weeks else "-"
    sizes["last week"] = weeks[-1] if weeks else "-"
    return pd.DataFrame({"value": sizes})


# ---------------------------------------------------------------- ISO weeks

def last_weeks(db_path: Path, count: int, until: str | None = None) -> list[str]:
    """The `count` weeks ending at `until` (default: the last week with documents)."""
    weeks = read(db_path, queries.document_weeks)
    if not weeks:
        return []
    last = until or weeks[-1]
    return week_range(week_label(week_monday(last) - dt.timedelta(weeks=count - 1)), last)


# ---------------------------------------------------------------- notebook 1: trends

def weekly_counts(db_path: Path, weeks: list[str]) -> pd.DataFrame:
    """Per week: each topic x province cell, plus each topic over all provinces and each province
    over all topics (distinct stories, not sums of cells: a story can name two provinces)."""
    cells = read(db_path, queries.weekly_cells, weeks[0] if weeks else None)
    cells = cells[cells["iso_week"].isin(weeks)]
    if cells.empty:
        return cells.assign(week_start=pd.Series(dtype="datetime64[ns]"))
    totals = read(db_path, queries.weekly_totals, weeks[0])
    totals = totals[totals["iso_week"].isin(weeks)]
    frame = pd.concat([cells, totals], ignore_index=True)
    frame["week_start"] = pd.to_datetime(frame["iso_week"].map(week_monday))
    return frame


def trend_table(counts: pd.DataFrame, weeks: list[str], by: str, measure: str = "stories") -> pd.DataFrame:
    """Weeks x topics (by="topic") or weeks x provinces (by="province"), zeros filled in."""
    other = "province" if by == "topic" else "topic"
    rows = counts[(counts[other] == ALL) & (counts[by] != ALL)] if not counts.empty else counts
    table = rows.pivot_table(index="iso_week", columns=by, values=measure, aggfunc="sum", fill_value=0)
    return table.reindex(weeks, fill_value=0).fillna(0).astype(int)


def hotspot_flags(db_path: Path, weeks: list[str] | None = None) -> pd.DataFrame:
    """Stored hot-spot rows that carry a level (new / rising / persistent / cooling)."""
    rows = read(db_path, queries.hotspot_rows)
    rows = rows[rows["level"].notna()]
    if weeks is not None:
        rows = rows[rows["iso_week"].isin(weeks)]
    return rows.reset_index(drop=True)


def heatmap_matrix(counts: pd.DataFrame, weeks: list[str], measure: str = "stories") -> pd.DataFrame:
    """Topics x provinces: stories over the given weeks (documents with no province left out)."""
    cells = counts[(counts["topic"] != ALL) & (counts["province"] != ALL) & (counts["province"] != NO_PROVINCE)]
    cells = cells[cells["iso_week"].isin(weeks)]
    if cells.empty:
        return pd.DataFrame()
    matrix = cells.pivot_table(index="topic", columns="province", values=measure, aggfunc="sum", fill_value=0)
    order_rows = matrix.sum(axis=1).sort_values(ascending=False).index
    order_cols = matrix.sum(axis=0).sort_values(ascending=False).index
    return matrix.loc[order_rows, order_cols].astype(int)


def plot_trends(table: pd.DataFrame, flags: pd.DataFrame, by: str, columns: Iterable[str] | None = None,
                ncols: int = 4, title: str = ""):
    """Small multiples of weekly stories, one panel per topic or province, hot-spot levels as
    coloured markers (labelled with the other dimension: the province or the topic flagged)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    columns = list(columns) if columns is not None else list(table.columns)
    if not columns:
        print("Nothing to plot: no documents in these weeks.")
        return None
    nrows = math.ceil(len(columns) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.3 * nrows), sharex=True, squeeze=False)
    x = np.arange(len(table.index))
    position = {week: i for i, week in enumerate(table.index)}
    other = "province" if by == "topic" else "topic"
    for ax, name in zip(axes.flat, columns):
        series = table[name] if name in table.columns else pd.Series(0, index=table.index)
        ax.plot(x, series.values, color="0.35", linewidth=1.2)
        ax.set_ylim(0, max(1, series.max()) * 1.25)  # room above the peak for a marker's label
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of stories
        ax.set_title(str(name), fontsize=9)
        for _, flag in flags[(flags[by] == name) & flags["iso_week"].isin(position)].iterrows():
            xi = position[flag["iso_week"]]
            ax.scatter([xi], [series.iloc[xi]], color=LEVEL_COLORS.get(flag["level"], "k"), zorder=3, s=28)
            ax.annotate(str(flag[other]), (xi, series.iloc[xi]), fontsize=6, xytext=(2, 3), textcoords="offset points")
    for ax in axes.flat[len(columns):]:
        ax.set_visible(False)
    step = max(1, len(x) // 4)
    for ax in axes.flat[: len(columns)]:  # every panel labels its weeks: the last row may be short
        ax.set_xticks(x[::step], [w[-3:] for w in table.index[::step]], fontsize=7)
        ax.tick_params(labelbottom=True)
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=c, label=lvl) for lvl, c in LEVEL_COLORS.items()]
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, title="hot-spot level",
               title_fontsize=7, frameon=False)
    return fig


def plot_heatmap(matrix: pd.DataFrame, flagged_cells: Iterable[tuple[str, str]] = (), title: str = ""):
    """Topic x province heat map with the counts written in; flagged cells outlined in red."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if matrix.empty:
        print("Nothing to plot: no documents with a topic and a province in these weeks.")
        return None
    fig, ax = plt.subplots(figsize=(0.45 * len(matrix.columns) + 3, 0.4 * len(matrix.index) + 1.8))
    image = ax.imshow(matrix.values, cmap="YlOrRd", aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=8)
    high = matrix.values.max() if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix.values):
        if value:
            ax.text(j, i, int(value), ha="center", va="center", fontsize=6,
                    color="white" if value > high * 0.6 else "black")
    rows, cols = list(matrix.index), list(matrix.columns)
    for topic, province in flagged_cells:
        if topic in rows and province in cols:
            ax.add_patch(Rectangle((cols.index(province) - 0.5, rows.index(topic) - 0.5), 1, 1,
                                   fill=False, edgecolor="red", linewidth=2))
    fig.colorbar(image, ax=ax, label="stories", shrink=0.8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- notebook 2: drill-down

def cell_timeline(db_path: Path, topic: str, province: str, weeks: list[str], baseline_weeks: int = 8) -> pd.DataFrame:
    """One cell week by week: its counts, the stored hot-spot verdict, and a trailing mean of
    stories over the previous `baseline_weeks` weeks recomputed here as a cross-check."""
    counts = read(db_path, queries.weekly_cells, weeks[0] if weeks else None)
    counts = counts[(counts["topic"] == topic) & (counts["province"] == province)]
    frame = (counts.set_index("iso_week")[["documents", "stories", "sources", "voices"]]
             .reindex(weeks, fill_value=0).fillna(0).astype(int))
    frame.index.name = "iso_week"
    frame["trailing_mean"] = frame["stories"].shift(1).rolling(baseline_weeks, min_periods=1).mean()
    stored = read(db_path, queries.hotspot_rows, topic, province).set_index("iso_week")
    for column in ("baseline", "score", "p_value", "level"):
        frame[column] = stored[column].reindex(frame.index) if not stored.empty else None
    return frame.reset_index()


def pick_week(timeline: pd.DataFrame, week: str | None = None) -> str | None:
    """The week asked for, else the latest flagged week of the cell, else the last week shown."""
    if week:
        return week
    flagged = timeline[timeline["level"].notna()]
    if not flagged.empty:
        return flagged["iso_week"].iloc[-1]
    return timeline["iso_week"].iloc[-1] if not timeline.empty else None


def explain_week(timeline: pd.DataFrame, week: str, topic: str, province: str,
                 max_p_value: float = 0.001, min_stories: int = 3) -> str:
    """Plain sentences: the week's counts against its baseline and what made it flagged (or not)."""
    from scipy.stats import poisson

    rows = timeline[timeline["iso_week"] == week]
    if rows.empty:
        return f"{week} is outside the weeks loaded for {topic} in {province}."
    row = rows.iloc[0]
    lines = [f"{week}: {topic} in {province} had {row['stories']} stories "
             f"({row['documents']} documents from {row['sources']} sources).",]
    if pd.notna(row["baseline"]):
        lines.append(f"Its own history (the baseline stored by `dulun hotspots`) expected {row['baseline']:.2f} stories.")
        if pd.notna(row["p_value"]):
            lines.append(f"The chance of at least this many under that baseline is p = {row['p_value']:.2g} "
                         f"(score -log10 p = {row['score']:.1f}); a cell is flagged when p <= {max_p_value:g} "
                         f"and it has at least {min_stories} stories.")
    else:
        mean = row["trailing_mean"] if pd.notna(row["trailing_mean"]) else 0.0
        p = float(poisson.sf(row["stories"] - 1, max(mean, 0.5))) if row["stories"] else 1.0
        lines.append(f"No hot-spot row is stored for this week. As a rough check recomputed here, the previous weeks "
                     f"averaged {mean:.2f} stories, and at least {row['stories']} would have p = {p:.2g} (plain Poisson, "
                     f"mean floored at 0.5; `dulun hotspots` uses a fuller model with a national prior).")
    level = row["level"]
    if isinstance(level, str) and level:
        lines.append(f"Level: {level} ({LEVEL_MEANING.get(level, 'as set by dulun hotspots')}).")
    else:
        lines.append("Not flagged this week.")
    return "\n".join(lines)


def cell_stories(db_path: Path, topic: str, province: str, weeks: list[str] | str) -> pd.DataFrame:
    """The cell's stories in the given weeks, newest week first, then the most carried: headline,
    documents, outlets and kinds per story (a story is a cluster of documents on one event)."""
    weeks = [weeks] if isinstance(weeks, str) else list(weeks)
    docs = read(db_path, queries.cell_documents, topic, province, weeks)
    columns = ["iso_week", "story", "first_seen", "documents", "sources", "kinds"]
    if docs.empty:
        return pd.DataFrame(columns=columns)
    stories = docs.groupby(["iso_week", "story_id"]).agg(
        story=("title", "first"), first_seen=("published_at", "min"), documents=("doc_id", "nunique"),
        sources=("source", lambda s: ", ".join(sorted(set(s)))), kinds=("kind", lambda s: ", ".join(sorted(set(s)))),
    ).reset_index()
    stories = stories.sort_values(["iso_week", "documents", "first_seen"], ascending=[False, False, True])
    return stories[columns].reset_index(drop=True)


def cell_sources(db_path: Path, topic: str, province: str, weeks: list[str]) -> pd.DataFrame:
    """Weeks x sources: how many of the cell's documents each outlet carried."""
    docs = read(db_path, queries.cell_documents, topic, province, weeks)
    if docs.empty:
        return pd.DataFrame(index=pd.Index(weeks, name="iso_week"))
    table = docs.pivot_table(index="iso_week", columns="source", values="doc_id", aggfunc="nunique", fill_value=0)
    return table.reindex(weeks, fill_value=0).astype(int)


def plot_cell_timeline(timeline: pd.DataFrame, week: str | None, title: str = ""):
    """Bars of stories per week, the stored baseline as a line, flagged weeks coloured by level."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3))
    x = np.arange(len(timeline))
    colors = [LEVEL_COLORS.get(level, "0.7") if isinstance(level, str) else "0.7" for level in timeline["level"]]
    ax.bar(x, timeline["stories"], color=colors, label="stories")
    ax.plot(x, timeline["documents"], "k.", label="documents")
    if timeline["baseline"].notna().any():
        ax.plot(x, timeline["baseline"].astype(float), color="green", marker="_", markersize=16,
                linestyle="-", label="stored baseline")
    ax.plot(x, timeline["trailing_mean"], color="green", linestyle=":", label="trailing mean (recomputed)")
    if week in set(timeline["iso_week"]):
        at = list(timeline["iso_week"]).index(week)
        ax.axvspan(at - 0.5, at + 0.5, color="red", alpha=0.08, label=f"{week}")
    ax.set_xticks(x, [w[-3:] for w in timeline["iso_week"]], fontsize=8)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- key phrases

_STOP = frozenset("""
và của là các những có được cho với trong này đã đang sẽ không một khi từ tại theo về như nhưng
thì mà để do vì ra vào lên đến đó nên cũng rất bị hay hoặc sau trước trên dưới nhiều nào ông bà
anh chị họ chúng tôi ta em nó cùng còn lại đây đấy vẫn chỉ mới qua năm ngày tháng tuần hôm nay
gì ai sự việc điều cái con chiếc người ở làm nhận cho biết thêm hơn nhất rồi vừa cả mỗi
chưa hai ba bốn sáu bảy tám chín mười trăm nghìn ngàn triệu tỷ
""".split())
_SEGMENT = re.compile(r"[^\w\s]+|\d+")
_SYLLABLE = re.compile(r"[^\W\d_]+")


def word_runs(text: str) -> list[list[str]]:
    """Lower-cased Vietnamese words in runs split at punctuation and numbers (so a bigram never
    spans a sentence break). underthesea joins syllables into words ("đình_công", "công_nhân");
    without it, each syllable is a word. NFC first: the same letter can arrive composed or not."""
    text = unicodedata.normalize("NFC", text or "").lower()
    segments = [seg for seg in _SEGMENT.split(text) if seg.strip()]
    try:
        from underthesea import word_tokenize
    except ImportError:  # still useful with syllables; bigrams then carry two-syllable words
        return [_SYLLABLE.findall(seg) for seg in segments]
    runs = []
    for seg in segments:
        words = [w.replace(" ", "_") for w in word_tokenize(seg)]
        runs.append([w for w in words if _SYLLABLE.fullmatch(w.replace("_", ""))])
    return runs


def phrases(text: str) -> list[str]:
    """Content words and word bigrams ("nợ lương", "công_ty giày"), stop words left out."""
    found = []
    for run in word_runs(text):
        for i, word in enumerate(run):
            if word not in _STOP and len(word) > 1:
                found.append(word)
            if i + 1 < len(run) and word not in _STOP and run[i + 1] not in _STOP:
                found.append(f"{word} {run[i + 1]}")
    return found


def _document_text(row) -> str:
    return " . ".join(str(part) for part in (row.get("title"), row.get("lead"), row.get("text")) if isinstance(part, str))


def log_odds(focus: Counter, baseline: Counter, prior: Counter, prior_strength: float = 200.0) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    The prior is the background vocabulary scaled to `prior_strength` pseudo-counts, which
    shrinks rare phrases toward "no difference"; z is the log-odds divided by its standard error.
    """
    vocab = sorted(set(focus) | set(baseline))
    if not vocab:
        return pd.DataFrame(columns=["phrase", "this_week", "baseline", "z"])
    y_f = np.array([focus[w] for w in vocab], dtype=float)
    y_b = np.array([baseline[w] for w in vocab], dtype=float)
    background = np.array([prior[w] for w in vocab], dtype=float) + 0.01
    alpha = background / background.sum() * prior_strength
    a0 = alpha.sum()
    n_f, n_b = y_f.sum(), y_b.sum()
    delta = (np.log((y_f + alpha) / (n_f + a0 - y_f - alpha))
             - np.log((y_b + alpha) / (n_b + a0 - y_b - alpha)))
    z = delta / np.sqrt(1.0 / (y_f + alpha) + 1.0 / (y_b + alpha))
    return (pd.DataFrame({"phrase": vocab, "this_week": y_f.astype(int), "baseline": y_b.astype(int), "z": z})
            .sort_values("z", ascending=False).reset_index(drop=True))


def key_phrases(db_path: Path, topic: str, province: str, week: str, baseline: list[str],
                top: int = 15, min_documents: int = 2) -> pd.DataFrame:
    """The phrases that set the cell's week apart from its baseline weeks.

    Focus: the cell's documents that week; baseline: the cell's documents in the baseline
    weeks; prior: the whole topic (all provinces) over the same weeks, so the topic's everyday
    vocabulary does not come out as "key". A phrase must occur in `min_documents` documents of
    the week (one long article should not set the week's vocabulary).
    """
    docs = read(db_path, queries.cell_documents, topic, province, [week, *baseline], True)
    topic_docs = read(db_path, queries.topic_texts, topic, [week, *baseline])
    bags = {row["doc_id"]: phrases(_document_text(row)) for _, row in docs.iterrows()}
    focus_ids = set(docs.loc[docs["iso_week"] == week, "doc_id"])
    focus = Counter(p for d in focus_ids for p in bags[d])
    base = Counter(p for d in set(bags) - focus_ids for p in bags[d])
    prior = Counter(p for _, row in topic_docs.iterrows() for p in phrases(_document_text(row)))
    table = log_odds(focus, base, prior)
    doc_freq = Counter(p for d in focus_ids for p in set(bags[d]))
    table["documents"] = table["phrase"].map(doc_freq).fillna(0).astype(int)
    table = table[(table["documents"] >= min_documents) & (table["z"] > 0)]
    table = _drop_covered(table).head(top)
    return table.assign(phrase=table["phrase"].str.replace("_", " "), z=table["z"].round(2)).reset_index(drop=True)


def _drop_covered(table: pd.DataFrame, share: float = 0.8) -> pd.DataFrame:
    """Leave out a syllable that mostly occurs inside a listed bigram ("nợ" in "nợ lương"):
    the bigram already says it, and readers should see distinct phrases."""
    bigrams = table[table["phrase"].str.contains(" ")]
    covered = set()
    for _, row in table[~table["phrase"].str.contains(" ")].iterrows():
        parts = bigrams[bigrams["phrase"].str.split(" ").map(lambda pair: row["phrase"] in pair)]
        if not parts.empty and parts["this_week"].max() >= share * row["this_week"]:
            covered.add(row["phrase"])
    return table[~table["phrase"].isin(covered)]


# ---------------------------------------------------------------- notebook 3: classifier review

def parse_scores(value) -> dict[str, float]:
    """`enrichments.scores` (JSON topic -> probability) as a dict, whatever form DuckDB gave."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    return {str(k): float(v) for k, v in dict(value).items() if v is not None}


def as_topics(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return sorted(str(t) for t in value)


def confusion_table(truth: list[list[str]], predicted: list[list[str]]) -> pd.DataFrame:
    """Multi-label confusion: row = a topic the document truly has, column = a topic it was
    given; "(none)" on either side for a document with no topic. The diagonal is agreement."""
    pairs = Counter()
    for true, pred in zip(truth, predicted):
        for t in (true or [NO_TOPIC]):
            for p in (pred or [NO_TOPIC]):
                pairs[(t, p)] += 1
    if not pairs:
        return pd.DataFrame()
    topics = sorted({t for t, _ in pairs} | {p for _, p in pairs}, key=lambda t: (t == NO_TOPIC, t))
    table = pd.DataFrame(0, index=pd.Index(topics, name="true"), columns=pd.Index(topics, name="given"))
    for (t, p), n in pairs.items():
        table.loc[t, p] = n
    return table


def per_topic_agreement(truth: list[list[str]], predicted: list[list[str]],
                        names: tuple[str, str] = ("truth", "predicted")) -> pd.DataFrame:
    """Per topic: documents both sides give it, only one side, and precision / recall / F1 of
    `predicted` against `truth`."""
    a, b = names
    topics = sorted({t for ts in truth for t in ts} | {t for ts in predicted for t in ts})
    rows = []
    for topic in topics:
        both = sum(topic in t and topic in p for t, p in zip(truth, predicted))
        only_a = sum(topic in t and topic not in p for t, p in zip(truth, predicted))
        only_b = sum(topic not in t and topic in p for t, p in zip(truth, predicted))
        precision = both / (both + only_b) if both + only_b else float("nan")
        recall = both / (both + only_a) if both + only_a else float("nan")
        f1 = 2 * both / (2 * both + only_a + only_b) if both + only_a + only_b else float("nan")
        rows.append({"topic": topic, "both": both, f"{a} only": only_a, f"{b} only": only_b,
                     "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)})
    return pd.DataFrame(rows)


@dataclass
class LabelReview:
    labeled: int
    message: str
    confusion: pd.DataFrame
    per_topic: pd.DataFrame


EXPECTED_FILE_NAME = "demo_expected.json"  # the demo site's manifest, which `dulun demo` writes next to the database


def label_review(db_path: Path, expected_file: Path | None = None) -> LabelReview:
    """The model's current topics against analysts' labels. With no labels, against the demo
    site's intended topics when its manifest is given (or lies next to the database), else an
    explanation and nothing to score."""
    labels = read(db_path, queries.analyst_labels)
    if labels.empty:
        expected_file = Path(expected_file) if expected_file else Path(db_path).parent / EXPECTED_FILE_NAME
        if expected_file.is_file():
            return _review_against_expected(db_path, expected_file)
        return LabelReview(0, "There are no analyst labels in this database yet (the `labels` table is empty), "
                              "so the model cannot be scored here. Below, the rules and the model are compared "
                              "on the stored documents instead.", pd.DataFrame(), pd.DataFrame())
    unenriched = int(labels["model_topics"].isna().sum())
    labels = labels[labels["model_topics"].notna()]
    message = f"{len(labels)} labeled documents have a current enrichment"
    message += f" ({unenriched} more are not enriched yet)." if unenriched else "."
    return _review(message, [as_topics(v) for v in labels["label_topics"]],
                   [as_topics(v) for v in labels["model_topics"]])


def _review(message: str, truth: list[list[str]], given: list[list[str]]) -> LabelReview:
    return LabelReview(len(truth), message, confusion_table(truth, given),
                       per_topic_agreement(truth, given, ("label", "model")))


def url_key(url: str) -> str:
    """Path and query of the canonical URL: the demo site's port changes from run to run."""
    from urllib.parse import urlsplit

    from core.records import canonical_url

    parts = urlsplit(canonical_url(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def expected_topics(path: Path) -> dict[str, list[str]]:
    """URL key -> intended topics, from the demo site's manifest (forum posts take their thread's)."""
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    found = {}
    for item in manifest.get("items", []):
        topics = sorted(item.get("topics") or [])
        found[url_key(item["url"])] = topics
        for post in item.get("posts") or []:
            found[url_key(post["url"])] = topics
    return found


def _review_against_expected(db_path: Path, expected_file: Path) -> LabelReview:
    intended = expected_topics(expected_file)
    docs = read(db_path, queries.enriched_documents)
    keys = docs["url"].map(url_key) if not docs.empty else pd.Series(dtype=str)
    matched = docs[keys.isin(intended)]
    message = (f"There are no analyst labels; the model is scored instead against the demo site's intended "
               f"topics ({expected_file}), matched by URL for {len(matched)} of {len(docs)} enriched documents.")
    return _review(message, [intended[url_key(u)] for u in matched["url"]],
                   [as_topics(v) for v in matched["topics"]])


def least_sure(db_path: Path, top: int = 15, threshold: float = 0.5) -> pd.DataFrame:
    """Documents whose closest call is nearest the decision threshold: for each document the
    topic whose probability is nearest `threshold`, and how near (0 = a coin flip)."""
    docs = read(db_path, queries.enriched_documents)
    rows = []
    for _, doc in docs.iterrows():
        scores = parse_scores(doc["scores"])
        if not scores:
            continue
        topic, p = min(scores.items(), key=lambda item: abs(item[1] - threshold))
        rows.append({"title": doc["title"], "source": doc["source"], "kind": doc["kind"],
                     "given topics": ", ".join(as_topics(doc["topics"])), "closest call": topic,
                     "probability": round(p, 3), "margin": round(abs(p - threshold), 3)})
    if not rows:
        return pd.DataFrame(columns=["title", "source", "kind", "given topics", "closest call", "probability", "margin"])
    return pd.DataFrame(rows).sort_values("margin").head(top).reset_index(drop=True)


def model_versions(db_path: Path) -> pd.DataFrame:
    """The models that enriched the documents, with their provenance (training data, scores)."""
    return read(db_path, queries.models)


def score_spread(db_path: Path) -> pd.DataFrame:
    """Every stored topic probability, long form (topic, probability), for a histogram."""
    docs = read(db_path, queries.enriched_documents)
    pairs = [(t, p) for value in docs["scores"] for t, p in parse_scores(value).items()]
    return pd.DataFrame(pairs, columns=["topic", "probability"])


def rule_topics(settings, documents: pd.DataFrame, classify=None) -> tuple[list[list[str]] | None, str]:
    """Rules-only topics for each document (title, lead, text columns), or None and why not.

    `classify` (records -> topic lists) defaults to the NLP stage's `nlp.api.rules_classifier`."""
    try:
        if classify is None:
            from nlp.api import rules_classifier

            classify = rules_classifier(settings)
    except Exception as exc:  # a broken rules file must not stop the notebook: say what happened
        return None, f"The YAML topic rules could not be loaded: {type(exc).__name__}: {exc}"
    records = [{"doc_id": r["doc_id"], "title": r.get("title"), "lead": r.get("lead"), "text": r.get("text"),
                "kind": r.get("kind")}
               for _, r in documents.iterrows()]
    try:
        result = classify(records)
    except Exception as exc:
        return None, f"The rules-only classifier failed here: {type(exc).__name__}: {exc}"
    return [as_topics(topics) for topics in result], "Rule topics from the YAML rules alone (nlp/rules/topics.yaml)."


@dataclass
class RulesComparison:
    available: bool
    message: str
    per_topic: pd.DataFrame
    disagreements: pd.DataFrame


def rules_vs_model(db_path: Path, settings, examples: int = 15, classify=None) -> RulesComparison:
    """Where the analyst rules alone and the model (stored topics) disagree, per topic."""
    docs = read(db_path, queries.enriched_documents, True)
    if docs.empty:
        return RulesComparison(False, "No enriched documents in this database.", pd.DataFrame(), pd.DataFrame())
    rules, message = rule_topics(settings, docs, classify)
    if rules is None:
        return RulesComparison(False, message, pd.DataFrame(), pd.DataFrame())
    model = [as_topics(v) for v in docs["topics"]]
    per_topic = per_topic_agreement(rules, model, ("rules", "model"))
    per_topic = per_topic.drop(columns=["precision", "recall", "f1"]).assign(
        agreement=lambda t: (t["both"] / (t["both"] + t["rules only"] + t["model only"])).round(3))
    differ = [i for i, (r, m) in enumerate(zip(rules, model)) if r != m]
    table = pd.DataFrame({
        "title": docs["title"].iloc[differ].values,
        "source": docs["source"].iloc[differ].values,
        "rules": [", ".join(rules[i]) for i in differ],
        "model": [", ".join(model[i]) for i in differ],
    })
    message += f" Rules and model disagree on {len(differ)} of {len(docs)} documents."
    return RulesComparison(True, message, per_topic, table.head(examples))


def plot_confusion(table: pd.DataFrame, title: str = ""):
    import matplotlib.pyplot as plt

    if table.empty:
        print("No confusion table to draw.")
        return None
    fig, ax = plt.subplots(figsize=(0.5 * len(table.columns) + 2.5, 0.45 * len(table.index) + 1.5))
    ax.imshow(table.values, cmap="Blues")
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(table.index)), table.index, fontsize=8)
    for (i, j), value in np.ndenumerate(table.values):
        if value:
            ax.text(j, i, int(value), ha="center", va="center", fontsize=7)
    ax.set_xlabel(table.columns.name or "given")
    ax.set_ylabel(table.index.name or "true")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- notebook 4: follow-up

STATE_ORDER = ["raised", "answered", "resolved"]
STATE_COLUMNS = ["thread_id", "topic", "province", "state", "raised_at", "answered_at", "resolved_at", "days_to_answer",
                 "days_to_resolution", "documents", "headline", "unanswered_after", "answered_how", "resolved_how"]


def data_moment(db_path: Path) -> dt.datetime | None:
    """The newest fetch in the database: what "now" means for data that is not live (the demo)."""
    value = read(db_path, queries.latest_fetch)
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def followup_states(db_path: Path, settings, until: dt.datetime | None = None) -> pd.DataFrame:
    """Every issue thread as it stood at `until` (default: the newest fetch): topic, province,
    state, raised/answered/resolved times, days to the first answer and to resolution."""
    from pipeline.followup import states_as_of

    until = until or data_moment(db_path)
    rows = [s.as_json() for s in read(db_path, lambda con: states_as_of(con, settings, until))] if until else []
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS)
    for column in ("raised_at", "answered_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.sort_values("raised_at").reset_index(drop=True)


def state_counts(states: pd.DataFrame) -> pd.DataFrame:
    """How many threads are raised (unanswered), answered, resolved, by topic."""
    if states.empty:
        return pd.DataFrame(columns=STATE_ORDER)
    table = states.assign(topic=states.topic.fillna(NO_TOPIC)).pivot_table(
        index="topic", columns="state", values="thread_id", aggfunc="count", fill_value=0)
    return table.reindex(columns=STATE_ORDER, fill_value=0)


def rates_table(db_path: Path, settings, days: int, until: dt.datetime | None = None) -> pd.DataFrame:
    """Per province x topic, threads raised in the `days` before `until` (default: the newest
    fetch): response and resolution rates, median days to the first answer and to resolution,
    as the weekly digest and `dulun followup --rates` compute them."""
    from pipeline.followup import response_rates, states_as_of

    until = until or data_moment(db_path)
    if until is None:
        return response_rates([], dt.datetime.min, dt.datetime.max)
    states = read(db_path, lambda con: states_as_of(con, settings, until))
    return response_rates(states, until - dt.timedelta(days=days), until)


def plot_rates(table: pd.DataFrame, title: str = ""):
    """Response and resolution rate of each province x topic cell, most issues first."""
    import matplotlib.pyplot as plt

    if table.empty:
        print("Nothing to plot: no issue threads with a province and a topic in this period.")
        return None
    shown = table.head(15).iloc[::-1]
    labels = [f"{r.topic} · {r.province} ({r.raised})" for r in shown.itertuples()]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1.5))
    y = np.arange(len(shown))
    ax.barh(y + 0.2, shown.response_rate, height=0.4, color="#f0b429", label="answered")
    ax.barh(y - 0.2, shown.resolution_rate, height=0.4, color="#2e7d32", label="resolved")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the issues raised")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def thread_timeline(db_path: Path, thread_id: str, until: dt.datetime | None = None) -> pd.DataFrame:
    """One thread's documents as of `until`, with their roles (no authors, no bylines)."""
    from store.followup import thread_documents

    until = until or data_moment(db_path)
    if until is None:
        return pd.DataFrame()
    frame = read(db_path, thread_documents, until, [thread_id])
    return frame[["published_at", "role", "detail", "source", "kind", "title"]]
