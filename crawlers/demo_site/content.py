"""Deterministic generator of the demo site's items and of the manifest of what each one means.

`build_content(seed)` returns the same items for the same seed: every random choice goes
through one `random.Random(seed)` passed down explicitly. Items span 2026-W37 .. 2026-W47
(2026-09-07 .. 2026-11-22, Asia/Ho_Chi_Minh) across five demo sources, with a steady
baseline and two planted rises:

* `labor` in Hải Phòng in 2026-W47 (10 items, three stories republished by several outlets),
  against a Hải Phòng labor history of 0-1 items a week;
* `environment` in Quảng Ngãi in 2026-W46 (4) and 2026-W47 (5), against 0-1 before;

and what happened next to some of them (`add_followups`): answers (a dialogue, inspections)
and resolutions (wages paid, a river cleaned up), for follow-up to find.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field

from crawlers.demo_site import stories
from crawlers.demo_site.stories import Template
from core.timeutil import VN

FIRST_WEEK = (2026, 37)
LAST_WEEK = (2026, 47)
DEFAULT_SEED = 2026

SOURCE_KINDS = {
    "demo-baoquocgia": "press",
    "demo-baohaiphong": "press",
    "demo-baoquangngai": "press",
    "demo-diendan": "post",
    "demo-phananh": "petition",
}
# weekly baseline items per source (the planted rises come on top)
WEEKLY_PLAN = {
    "demo-baoquocgia": {"steady": 3, "random_topic": 4, "no_topic": 3},
    "demo-baohaiphong": {"local_topic": 4, "no_topic": 2},
    "demo-baoquangngai": {"local_topic": 3, "no_topic": 1},
    "demo-diendan": {"random_topic": 3, "no_topic": 1},
    "demo-phananh": {"petition": 5},
}
STEADY_NATIONAL = [("safety", "Hồ Chí Minh"), ("infrastructure", "Hà Nội"), ("public_order", "Hồ Chí Minh")]
HP_ROTATION = ["infrastructure", "construction", "safety", "public_order", "complaints", "livelihood",
               "education", "health", "environment", "land", "corruption"]
QN_ROTATION = ["infrastructure", "safety", "land", "education", "livelihood", "public_order", "health",
               "construction", "complaints", "corruption"]
PETITION_TEMPLATES = ["land-boithuong", "complaints-bandoc", "construction-khongphep", "construction-lanchiem",
                      "environment-xathai", "environment-bairac", "infrastructure-ngap", "livelihood-tiendien",
                      "education-lamthu", "construction-chungcu", "land-sodo", "public_order-trom"]
# (topic, province) cells kept out of the random baseline so their history is exactly what we plant
RESERVED_CELLS = {("labor", "Hải Phòng"), ("environment", "Quảng Ngãi")}
HISTORY_HP_LABOR_WEEKS = {39: "demo-baohaiphong", 43: "demo-phananh"}
HISTORY_QN_ENV_WEEKS = {40: "demo-baoquangngai"}
FORUM_NAMES = ("Chuyện trò linh tinh", "Thời sự - Xã hội")


@dataclass
class Post:
    number: int
    post_id: int
    author: str
    published: dt.datetime
    paragraphs: list[str]


@dataclass
class Item:
    """One published item as a source shows it, plus what it means (for the manifest)."""

    source: str
    number: int
    published: dt.datetime
    title: str
    lead: str
    paragraphs: list[str]
    topics: list[str]
    provinces: list[str]
    story: str
    category: str
    byline: str | None = None
    author: str | None = None  # petition sender (hashed by the crawler, never shown raw)
    posts: list[Post] = field(default_factory=list)
    place: str | None = None  # petition's province field
    # petitions: what the portal shows over time, (shown from, status text, the answer date it gives)
    statuses: list[tuple[dt.datetime, str, dt.datetime | None]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return SOURCE_KINDS[self.source]

    @property
    def week(self) -> str:
        year, week, _ = self.published.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def slug(self) -> str:
        return slugify(self.title)


def slugify(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80]


def iso_weeks() -> list[tuple[int, int]]:
    return [(FIRST_WEEK[0], w) for w in range(FIRST_WEEK[1], LAST_WEEK[1] + 1)]


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


# ------------------------------------------------------------------ slot filling

def place_context(rng: random.Random, province: str | None, place: tuple[str, str] | None = None) -> dict:
    """Values for one story's slots; the same dict renders every republication of it."""
    ctx: dict[str, str] = {
        "n": str(rng.randint(3, 12)), "n2": str(rng.randint(2, 6)), "n_ho": str(rng.randint(12, 180)),
        "n_cn": rng.choice(["250", "320", "450", "600", "850", "1.200", "1.500"]), "n_thang": str(rng.randint(2, 4)),
        "n_chet": str(rng.randint(2, 4)), "ha": str(rng.randint(8, 95)), "pct": str(rng.randint(15, 70)),
        "gia": str(rng.choice([85, 120, 150, 210])), "m2": f"{rng.randint(3, 40) * 100:,}".replace(",", "."),
        "ty": f"{rng.randint(2, 40)},{rng.randint(1, 9)}", "ty2": str(rng.randint(120, 900)),
        "trieu": str(rng.randint(3, 12) * 100), "gio": str(rng.randint(6, 21)),
    }
    company_topic = rng.choice(list(stories.COMPANIES))
    ctx["cty"] = rng.choice(stories.COMPANIES[company_topic])
    ctx["cty_short"] = ctx["cty"].replace("Công ty TNHH ", "Công ty ").replace("Công ty CP ", "Công ty ")
    if province is None:
        ctx.update(tinh="", tinh_full="", xa="", cu="", dang_uy="")
        return ctx
    full, places = stories.PROVINCES[province]
    ward, old = place or rng.choice(places)
    ctx.update(tinh=province, tinh_full=full, xa=ward, cu=f" ({old} cũ)" if old else "",
               dang_uy=("Thành ủy " if full.startswith("TP") else "Tỉnh ủy ") + province)
    return ctx


def fill(text: str, ctx: dict) -> str:
    out = text.format_map(ctx)
    return out[:1].upper() + out[1:]


# Small wording changes an outlet makes when it republishes another outlet's story.
REWORDS = [
    ("công nhân", "người lao động"), ("cho biết", "thông tin"), ("Theo người lao động", "Theo phản ánh của công nhân"),
    ("hơn", "trên"), ("đồng loạt", "cùng lúc"), ("Người dân", "Bà con"), ("phản ánh", "kêu"),
    ("đã cử", "đã cử ngay"), ("ngừng việc tập thể", "ngừng việc"),
]


def reword(text: str, rng: random.Random, strength: int = 3) -> str:
    """Apply a few of the rewordings (deterministically chosen) to make a near-duplicate."""
    for old, new in rng.sample(REWORDS, k=min(strength, len(REWORDS))):
        text = text.replace(old, new, 1)
    return text


# ------------------------------------------------------------------ item builders

class Builder:
    """Holds the seeded generator and per-source counters while items are made."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.items: list[Item] = []
        self.counters: dict[str, int] = {}
        self.post_ids = 100_000

    def next_number(self, source: str) -> int:
        base = {"demo-baoquocgia": 4_810_000, "demo-baohaiphong": 231_000, "demo-baoquangngai": 60_200,
                "demo-diendan": 512_000, "demo-phananh": 88_000}[source]
        self.counters[source] = self.counters.get(source, 0) + 1
        return base + self.counters[source] * 7

    def random_time(self, year: int, week: int, days: tuple[int, int] = (1, 7)) -> dt.datetime:
        day = dt.date.fromisocalendar(year, week, self.rng.randint(*days))
        return at(day, self.rng.randint(6, 21), self.rng.randrange(0, 60))

    def add_from_template(self, source: str, tpl: Template, province: str | None, when: dt.datetime,
                          story: str | None = None, extra_topics: tuple[str, ...] = ()) -> Item:
        rng = self.rng
        if tpl.topics and not tpl.has_place:
            province = None  # a national or foreign story: no province to count it under
        if not tpl.topics and province is None:
            province_in_text = rng.choice(sorted(stories.PROVINCES))  # a sports club or fair needs a name
        else:
            province_in_text = province
        ctx = place_context(rng, province_in_text, None)
        ctx["ngay"] = when.strftime("%d/%m")
        title = fill(rng.choice(tpl.headlines), ctx)
        lead = fill(tpl.lead, ctx)
        n_par = min(len(tpl.body), rng.randint(3, 5))
        paragraphs = [fill(p, ctx) for p in tpl.body[:n_par]]
        topics = sorted(set(tpl.topics) | set(extra_topics))
        item = Item(source=source, number=self.next_number(source), published=when, title=title, lead=lead,
                    paragraphs=paragraphs, topics=topics, provinces=[province] if (province and topics) else [],
                    story=story or f"{tpl.key}-{source}-{when:%Y%m%d%H%M}", category=category_for(topics))
        self.dress(item, tpl.replies, ctx, province)
        self.items.append(item)
        return item

    def dress(self, item: Item, replies: tuple[str, ...], ctx: dict, province: str | None) -> None:
        """Add what each kind of source shows around the story: byline, forum posts, sender."""
        rng = self.rng
        if item.kind == "press":
            item.byline = rng.choice(stories.BYLINES)
        elif item.kind == "petition":
            item.author = rng.choice(stories.PETITION_SENDERS)
            item.place = province
            to = f"UBND {ctx['xa']}" if ctx.get("xa") else "cơ quan chức năng"
            item.lead = f"Kính gửi {to}. " + item.lead
            item.paragraphs = item.paragraphs[:2] + ["Kính đề nghị cơ quan chức năng xem xét, giải quyết dứt điểm và trả lời cho người dân."]
        elif item.kind == "post":
            self.add_forum_posts(item, replies, ctx)

    def add_forum_posts(self, item: Item, replies: tuple[str, ...], ctx: dict) -> None:
        rng = self.rng
        users = rng.sample(stories.FORUM_USERS, k=5)
        opener = rng.choice(["Các bác ơi,", "Mọi người cho hỏi,", "Chia sẻ với anh em,", "Tin nóng:"])
        first = [f"{opener} {item.lead[0].lower()}{item.lead[1:]}"] + item.paragraphs[:2]
        self.post_ids += rng.randint(3, 40)
        posts = [Post(1, self.post_ids, users[0], item.published, first)]
        week_end = at(dt.date.fromisocalendar(*item.published.isocalendar()[:2], 7), 23, 0)
        when = item.published
        pool = list(replies) or ["Cảm ơn bác đã chia sẻ thông tin."]
        for number, reply in enumerate(rng.sample(pool, k=min(len(pool), rng.randint(1, 3))), start=2):
            when = min(when + dt.timedelta(minutes=rng.randint(17, 240)), week_end)
            self.post_ids += rng.randint(1, 30)
            posts.append(Post(number, self.post_ids, users[number - 1], when, [fill(reply, ctx)]))
        item.posts = posts

    def add_planted(self, source: str, story: dict, headline: int, when: dt.datetime, province: str,
                    topics: tuple[str, ...], variant: int) -> Item:
        """One outlet's version of a planted story; variant > 0 rewords it a little."""
        rng = random.Random(f"{story['story']}-{variant}")  # rewording independent of the main stream
        lead = story["lead"] if variant == 0 else reword(story["lead"], rng)
        body = list(story["body"])
        if variant > 0:
            body = [reword(p, rng, 2) for p in body]
            if len(body) > 3:
                body.pop(rng.randrange(1, len(body)))
        headlines = story["headlines"]
        item = Item(source=source, number=self.next_number(source), published=when,
                    title=headlines[headline % len(headlines)], lead=lead, paragraphs=body,
                    topics=sorted(topics), provinces=[province], story=story["story"],
                    category=category_for(topics))
        ward, _old = story["place"]
        ctx = {"xa": ward, "tinh": province}
        self.dress(item, story.get("replies", ()), ctx, province)
        self.items.append(item)
        return item


def category_for(topics) -> str:
    if not topics:
        return "giai-tri-the-thao"
    return {"labor": "lao-dong", "environment": "moi-truong", "safety": "thoi-su", "public_order": "phap-luat",
            "corruption": "phap-luat", "health": "suc-khoe", "education": "giao-duc"}.get(sorted(topics)[0], "xa-hoi")


def templates_by_topic() -> dict[str, list[Template]]:
    out: dict[str, list[Template]] = {}
    for tpl in stories.TOPIC_TEMPLATES:
        out.setdefault(tpl.topics[0], []).append(tpl)
    return out


def template_named(key: str) -> Template:
    return next(t for t in stories.TOPIC_TEMPLATES + stories.NO_TOPIC_TEMPLATES if t.key == key)


# ------------------------------------------------------------------ weekly baseline

def add_baseline_week(b: Builder, year: int, week: int, index: int) -> None:
    rng = b.rng
    by_topic = templates_by_topic()
    placed = [t for t in stories.TOPIC_TEMPLATES if t.has_place]
    others = [p for p in stories.PROVINCES if p not in ("Hải Phòng", "Quảng Ngãi")]
    no_topic = stories.NO_TOPIC_TEMPLATES
    used: set[tuple[str, str]] = set()

    def free_cell(tpl: Template, provinces: list[str], extra: tuple[str, ...] = ()) -> str:
        """A province where none of the item's topics has appeared this week (keeps baselines flat)."""
        topics = set(tpl.topics) | set(extra)
        for _ in range(200):
            province = rng.choice(provinces)
            cells = {(topic, province) for topic in topics}
            if not cells & (used | RESERVED_CELLS | set(STEADY_NATIONAL)):
                used.update(cells)
                return province
        raise RuntimeError("no free (topic, province) cell this week")  # cannot happen with 19 provinces

    # national paper: steady cells, then random cells, then no-topic items
    for topic, province in STEADY_NATIONAL:
        b.add_from_template("demo-baoquocgia", rng.choice(by_topic[topic]), province, b.random_time(year, week))
    for _ in range(WEEKLY_PLAN["demo-baoquocgia"]["random_topic"]):
        tpl = rng.choice(placed)
        b.add_from_template("demo-baoquocgia", tpl, free_cell(tpl, others), b.random_time(year, week))
    for _ in range(WEEKLY_PLAN["demo-baoquocgia"]["no_topic"]):
        b.add_from_template("demo-baoquocgia", rng.choice(no_topic), None, b.random_time(year, week))
    if index % 3 == 1:  # a national issue with no province now and then
        b.add_from_template("demo-baoquocgia", template_named("health-thuocgia"), None, b.random_time(year, week))

    # provincial papers: rotate through local topics so each cell has a low steady history
    for k in range(WEEKLY_PLAN["demo-baohaiphong"]["local_topic"]):
        topic = HP_ROTATION[(index * 4 + k) % len(HP_ROTATION)]
        item = b.add_from_template("demo-baohaiphong", rng.choice(by_topic[topic]), "Hải Phòng", b.random_time(year, week))
        used.update((t, "Hải Phòng") for t in item.topics)
    for _ in range(WEEKLY_PLAN["demo-baohaiphong"]["no_topic"]):
        tpl = rng.choice([template_named("sport-vleague"), template_named("weather"), template_named("ent-concert")])
        b.add_from_template("demo-baohaiphong", tpl, "Hải Phòng", b.random_time(year, week))
    for k in range(WEEKLY_PLAN["demo-baoquangngai"]["local_topic"]):
        topic = QN_ROTATION[(index * 3 + k) % len(QN_ROTATION)]
        item = b.add_from_template("demo-baoquangngai", rng.choice(by_topic[topic]), "Quảng Ngãi", b.random_time(year, week))
        used.update((t, "Quảng Ngãi") for t in item.topics)
    b.add_from_template("demo-baoquangngai", rng.choice(no_topic), None, b.random_time(year, week))

    # forum: threads about big cities mostly, one off-topic thread
    forum_provinces = ["Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hà Nội", "Hồ Chí Minh", "Cần Thơ", "Đồng Nai", "Bắc Ninh", "Huế"]
    with_replies = [t for t in placed if t.replies]
    for _ in range(WEEKLY_PLAN["demo-diendan"]["random_topic"]):
        tpl = rng.choice(with_replies)
        b.add_from_template("demo-diendan", tpl, free_cell(tpl, forum_provinces), b.random_time(year, week, (1, 6)))
    tpl = rng.choice([t for t in no_topic if t.replies])
    b.add_from_template("demo-diendan", tpl, None, b.random_time(year, week, (1, 6)))

    # citizen-feedback portal: every item is a petition to the authorities (so also `complaints`)
    petition_provinces = others + ["Hải Phòng", "Quảng Ngãi"]
    for _ in range(WEEKLY_PLAN["demo-phananh"]["petition"]):
        tpl = template_named(rng.choice(PETITION_TEMPLATES))
        b.add_from_template("demo-phananh", tpl, free_cell(tpl, petition_provinces, ("complaints",)),
                            b.random_time(year, week),
                            extra_topics=("complaints",))


def add_history(b: Builder, year: int, week: int) -> None:
    """The single labor item in Hải Phòng / environment item in Quảng Ngãi in a few past weeks."""
    if week in HISTORY_HP_LABOR_WEEKS:
        source = HISTORY_HP_LABOR_WEEKS[week]
        extra = ("complaints",) if source == "demo-phananh" else ()
        b.add_from_template(source, template_named("labor-bhxh" if week == 39 else "labor-noluong"), "Hải Phòng",
                            b.random_time(year, week), extra_topics=extra)
    if week in HISTORY_QN_ENV_WEEKS:
        b.add_from_template(HISTORY_QN_ENV_WEEKS[week], template_named("environment-cat"), "Quảng Ngãi",
                            b.random_time(year, week))


# ------------------------------------------------------------------ planted rises

def add_planted_labor(b: Builder) -> None:
    """Hải Phòng labor in 2026-W47: 10 items, 3 stories carried by several outlets. The wave
    builds from Tuesday: its third story comes Thursday 19/11 at 09:00, when the rolling
    detection should flag it (not the next Monday's weekly table)."""
    a, bb, c = stories.PLANTED_LABOR
    d, e = stories.PLANTED_LABOR_EXTRA
    hp, labor = "Hải Phòng", ("labor",)
    plan = [
        ("demo-baohaiphong", a, 0, at(dt.date(2026, 11, 17), 8, 15), labor, 0),
        ("demo-baoquocgia", a, 1, at(dt.date(2026, 11, 17), 11, 40), labor, 1),
        ("demo-diendan", a, 2, at(dt.date(2026, 11, 17), 19, 20), labor, 2),
        ("demo-baohaiphong", bb, 0, at(dt.date(2026, 11, 18), 10, 5), labor, 0),
        ("demo-baoquocgia", bb, 1, at(dt.date(2026, 11, 18), 15, 30), labor, 1),
        ("demo-diendan", bb, 2, at(dt.date(2026, 11, 19), 7, 45), labor, 2),
        ("demo-baohaiphong", c, 0, at(dt.date(2026, 11, 19), 9, 0), labor, 0),
        ("demo-baoquocgia", c, 1, at(dt.date(2026, 11, 19), 16, 45), labor, 1),
        ("demo-baohaiphong", d, 0, at(dt.date(2026, 11, 20), 14, 0), labor, 0),
        ("demo-phananh", e, 0, at(dt.date(2026, 11, 21), 9, 30), ("labor", "complaints"), 0),
    ]
    for source, story, headline, when, topics, variant in plan:
        b.add_planted(source, story, headline, when, hp, topics, variant)
    # hard negatives in the same place and week: a job fair and a strike abroad
    b.add_from_template("demo-baohaiphong", template_named("jobfair"), hp, at(dt.date(2026, 11, 17), 9, 10),
                        story="hp-jobfair-w47")
    b.add_from_template("demo-baoquocgia", template_named("world-dinhcong"), None, at(dt.date(2026, 11, 19), 21, 5),
                        story="world-strike-w47")


def add_planted_environment(b: Builder) -> None:
    """Quảng Ngãi environment: 4 items in 2026-W46 and 5 in 2026-W47."""
    s1, s2, s3 = stories.PLANTED_ENVIRONMENT
    qn, env = "Quảng Ngãi", ("environment",)
    both = ("environment", "complaints")
    plan = [
        ("demo-baoquangngai", s1, 0, at(dt.date(2026, 11, 10), 7, 30), env, 0),
        ("demo-baoquocgia", s1, 1, at(dt.date(2026, 11, 10), 13, 20), env, 1),
        ("demo-phananh", s1, 1, at(dt.date(2026, 11, 11), 20, 10), both, 2),
        ("demo-diendan", s1, 0, at(dt.date(2026, 11, 12), 18, 0), env, 3),
        ("demo-baoquangngai", s2, 0, at(dt.date(2026, 11, 16), 8, 0), env, 0),
        ("demo-phananh", s2, 1, at(dt.date(2026, 11, 17), 21, 15), both, 1),
        ("demo-baoquangngai", s3, 0, at(dt.date(2026, 11, 19), 6, 50), env, 0),
        ("demo-baoquocgia", s3, 1, at(dt.date(2026, 11, 19), 10, 25), env, 1),
        ("demo-diendan", s3, 0, at(dt.date(2026, 11, 21), 20, 40), env, 2),
    ]
    for source, story, headline, when, topics, variant in plan:
        b.add_planted(source, story, headline, when, qn, topics, variant)


def portal_statuses(item: Item) -> list[tuple[dt.datetime, str, dt.datetime | None]]:
    """How the portal handles one petition, deterministic per petition: logged at once, most
    forwarded for handling within 1-3 days, about half of those answered 4-12 days after filing
    (the portal then shows the answer date), some settled later; a few never move."""
    rng = random.Random(f"portal-{item.source}-{item.number}")
    filed = item.published
    steps = [(filed, "Đã tiếp nhận", None)]
    if rng.random() < 0.2:
        return steps
    handled = filed + dt.timedelta(days=rng.uniform(1, 3))
    steps.append((handled, rng.choice(["Đã chuyển xử lý", "Đang xử lý"]), None))
    if rng.random() < 0.5:
        answered = filed + dt.timedelta(days=rng.uniform(4, 12))
        steps.append((answered, "Đã trả lời", answered))
        if rng.random() < 0.5:
            settled = answered + dt.timedelta(days=rng.uniform(3, 10))
            steps.append((settled, "Đã giải quyết", settled))
    return steps


def add_followups(b: Builder) -> None:
    """What happened next to some planted issues: answers, a resolution (see stories.FOLLOWUPS)."""
    for source, (month, day, hour, minute), province, topics, story in stories.FOLLOWUPS:
        b.add_planted(source, story, 0, at(dt.date(2026, month, day), hour, minute), province, topics, 0)


# ------------------------------------------------------------------ entry point

def build_content(seed: int = DEFAULT_SEED) -> list[Item]:
    """All items of the demo site, newest first within each source, identical for one seed."""
    b = Builder(seed)
    for index, (year, week) in enumerate(iso_weeks()):
        add_baseline_week(b, year, week, index)
        add_history(b, year, week)
    add_planted_labor(b)
    add_planted_environment(b)
    add_followups(b)
    for item in b.items:
        if item.kind == "petition":
            item.statuses = portal_statuses(item)
    return sorted(b.items, key=lambda it: (it.source, -it.published.timestamp(), it.number))


def item_path(item: Item) -> str:
    """Path of the item's page on the demo site (the source decides the URL shape)."""
    if item.source == "demo-baoquocgia":
        return f"/baoquocgia/{item.category}/{item.slug}-{item.number}.html"
    if item.source == "demo-baohaiphong":
        return f"/baohaiphong/{item.category}/{item.slug}-{item.number}.html"
    if item.source == "demo-baoquangngai":
        return f"/baoquangngai/tin-tuc/{item.slug}-post{item.number}.html"
    if item.source == "demo-diendan":
        return f"/diendan/threads/{item.slug}.{item.number}/"
    return f"/phananh/phan-anh/{item.number}"


def manifest(items: list[Item]) -> dict:
    """What each item is meant to be about, for tests and end-to-end quality checks."""
    rows = []
    for it in items:
        row = {
            "source": it.source, "kind": it.kind, "url": "{base}" + item_path(it), "title": it.title,
            "published": it.published.isoformat(), "week": it.week, "topics": it.topics,
            "provinces": it.provinces, "story": it.story,
        }
        if it.statuses:
            row["portal_statuses"] = [{"from": when.isoformat(), "status": text,
                                       "answered": answered.isoformat() if answered else None}
                                      for when, text, answered in it.statuses]
        if it.posts:
            row["posts"] = [{"post_id": p.post_id, "url": "{base}" + item_path(it) + f"post-{p.post_id}",
                             "published": p.published.isoformat()} for p in it.posts]
        rows.append(row)
    return {
        "about": "Intended topics/provinces/ISO week of every demo-site item. Topics and provinces of a "
                 "forum thread apply to its posts. Planted rises: labor in Hải Phòng 2026-W47; "
                 "environment in Quảng Ngãi 2026-W46..W47.",
        "weeks": [f"{y}-W{w:02d}" for y, w in iso_weeks()],
        "planted": [
            {"topic": "labor", "province": "Hải Phòng", "weeks": ["2026-W47"]},
            {"topic": "environment", "province": "Quảng Ngãi", "weeks": ["2026-W46", "2026-W47"]},
        ],
        "items": rows,
    }
