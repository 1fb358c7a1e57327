"""Charts drawn on the server as inline SVG: no script, no external files, no map tiles.

Every label that comes from data (province, topic and source names) goes through `escape`;
colours are presentation attributes, not `style`, so the page's CSP needs no inline styles.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Sequence

from markupsafe import Markup, escape

# The 34 provincial units on a tile grid (column, row) that follows the country's shape: the
# wide north, the narrow centre along the coast, the south and the Mekong delta.
TILES: dict[str, tuple[int, int]] = {
    "Lai Châu": (1, 0), "Lào Cai": (2, 0), "Tuyên Quang": (3, 0), "Cao Bằng": (4, 0),
    "Điện Biên": (0, 1), "Sơn La": (1, 1), "Phú Thọ": (2, 1), "Thái Nguyên": (3, 1), "Lạng Sơn": (4, 1),
    "Hà Nội": (2, 2), "Bắc Ninh": (3, 2), "Quảng Ninh": (4, 2),
    "Ninh Bình": (2, 3), "Hưng Yên": (3, 3), "Hải Phòng": (4, 3),
    "Thanh Hóa": (2, 4), "Nghệ An": (2, 5), "Hà Tĩnh": (3, 6), "Quảng Trị": (3, 7),
    "Huế": (4, 8), "Đà Nẵng": (4, 9), "Quảng Ngãi": (4, 10), "Gia Lai": (4, 11), "Đắk Lắk": (4, 12),
    "Lâm Đồng": (3, 13), "Khánh Hòa": (4, 13),
    "Tây Ninh": (1, 14), "Hồ Chí Minh": (2, 14), "Đồng Nai": (3, 14),
    "An Giang": (0, 15), "Đồng Tháp": (1, 15), "Vĩnh Long": (2, 15),
    "Cà Mau": (0, 16), "Cần Thơ": (1, 16),
}
# Sequential scale, light to dark (ColorBrewer YlOrRd), and the hot-spot levels.
SCALE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
EMPTY = "#eef1f4"
LEVEL_FILL = {"new": "#b2182b", "rising": "#e34a33", "persistent": "#fc8d59", "cooling": "#91bfdb"}


def scale_colour(value: float, top: float) -> str:
    if not value or top <= 0:
        return EMPTY
    step = min(len(SCALE) - 1, int(math.ceil(len(SCALE) * math.sqrt(value / top))) - 1)
    return SCALE[max(step, 0)]


def ink_for(fill: str) -> str:
    """The text class on a fill: light text on the dark colours (CSS colours it, so the page's
    stylesheet and not an inline style decides)."""
    return "light" if fill in SCALE[3:] or fill in (LEVEL_FILL["new"], LEVEL_FILL["rising"]) else "dark"


def _svg(width: float, height: float, title: str, body: str, cls: str) -> Markup:
    return Markup(
        f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def tile_map(values: Mapping[str, float], title: str, links: Mapping[str, str] | None = None,
             levels: Mapping[str, str] | None = None, unit: str = "sự việc") -> Markup:
    """The provinces as tiles, coloured by `values` (or by hot-spot `levels` when given)."""
    w, h, gap = 74, 40, 3
    top = max(values.values(), default=0)
    parts = []
    for province, (col, row) in TILES.items():
        x, y = col * (w + gap), row * (h + gap)
        value = values.get(province, 0)
        level = (levels or {}).get(province)
        fill = LEVEL_FILL.get(level, EMPTY) if levels is not None else scale_colour(value, top)
        ink = ink_for(fill)
        tip = f"{province}: {value:g} {unit}" + (f" · {level}" if level else "")
        tile = (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" stroke="#b9c3cf"/>'
                f'<text x="{x + w / 2}" y="{y + 16}" text-anchor="middle" class="tname {ink}">{escape(province)}</text>'
                f'<text x="{x + w / 2}" y="{y + 31}" text-anchor="middle" class="tval {ink}">{value:g}</text>'
                f"<title>{escape(tip)}</title>")
        link = (links or {}).get(province)
        parts.append(f'<a href="{escape(link)}">{tile}</a>' if link else f"<g>{tile}</g>")
    cols = 1 + max(c for c, _ in TILES.values())
    rows = 1 + max(r for _, r in TILES.values())
    return _svg(cols * (w + gap), rows * (h + gap), title, "".join(parts), "tilemap")


def scale_steps(top: float) -> list[tuple[str, int, int]]:
    """(colour, first value, last value) of each colour `scale_colour` gives for counts 1..top,
    leaving out colours no whole count reaches."""
    top = int(top)
    steps = []
    for i, colour in enumerate(SCALE):
        low = 1 if i == 0 else math.floor(top * (i / len(SCALE)) ** 2) + 1
        high = top if i == len(SCALE) - 1 else math.floor(top * ((i + 1) / len(SCALE)) ** 2)
        if low <= high:
            steps.append((colour, low, high))
    return steps


def legend(top: float, unit: str) -> Markup:
    """The colour steps of `scale_colour` with the counts each covers."""
    parts = [f'<rect x="0" y="0" width="22" height="12" fill="{EMPTY}" stroke="#b9c3cf"/><text x="26" y="10">0</text>']
    for i, (colour, low, high) in enumerate(scale_steps(top)):
        x = 50 + i * 74
        label = f"{low}" if low == high else f"{low}–{high}"
        parts.append(f'<rect x="{x}" y="0" width="22" height="12" fill="{colour}"/><text x="{x + 26}" y="10">{label}</text>')
    return _svg(50 + len(SCALE) * 74, 14, f"Thang màu ({unit})", "".join(parts), "legend")


def heat_map(rows: Sequence[tuple[str, str]], columns: Sequence[tuple[str, str]], values: Mapping[tuple[str, str], int],
             title: str, links: Mapping[tuple[str, str], str] | None = None) -> Markup:
    """Rows (id, label) x columns (id, label), a coloured cell per value (keyed (row id, column
    id)); column labels written upwards."""
    label_w, cell_w, cell_h, head = 104, 30, 19, 96
    top = max(values.values(), default=0)
    parts = []
    for j, (_, column) in enumerate(columns):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text transform="translate({x + 3:.1f},{head - 4}) rotate(-55)" class="col">{escape(column)}</text>')
    for i, (row_id, row_label) in enumerate(rows):
        y = head + i * cell_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" class="row">{escape(row_label)}</text>')
        for j, (column_id, column) in enumerate(columns):
            value = values.get((row_id, column_id), 0)
            fill = scale_colour(value, top)
            x = label_w + j * cell_w
            rect = (f'<rect x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" fill="{fill}"/>'
                    + (f'<text x="{x + (cell_w - 1) / 2:.1f}" y="{y + 13}" text-anchor="middle" '
                       f'class="num {ink_for(fill)}">{value}</text>' if value else "")
                    + f"<title>{escape(row_label)} – {escape(column)}: {value}</title>")
            link = (links or {}).get((row_id, column_id))
            parts.append(f'<a href="{escape(link)}">{rect}</a>' if link and value else rect)
    return _svg(label_w + len(columns) * cell_w + 40, head + len(rows) * cell_h + 4, title, "".join(parts), "heatmap")


def daily_band(days: Sequence[dt.date], stories: Sequence[int], expected: float | None, low: float | None,
               high: float | None, focus_from: dt.date, title: str) -> Markup:
    """Stories per day as bars; the expected daily count as a dashed line inside its band
    (the range the cell's history makes ordinary); the focus week shaded."""
    width, height, pad_l, pad_b, pad_t = 760, 200, 34, 26, 10
    n = max(len(days), 1)
    top = max([*stories, high or 0, 1])
    plot_h = height - pad_b - pad_t
    bar_w = (width - pad_l - 6) / n
    y = lambda v: pad_t + plot_h * (1 - v / top)  # noqa: E731
    parts = []
    focus = [i for i, d in enumerate(days) if d >= focus_from]
    if focus:
        parts.append(f'<rect class="focus" x="{pad_l + focus[0] * bar_w:.1f}" y="{pad_t}" '
                     f'width="{len(focus) * bar_w:.1f}" height="{plot_h}"/>')
    if expected is not None and high is not None:
        parts.append(f'<rect class="band" x="{pad_l}" y="{y(high):.1f}" width="{width - pad_l - 6}" '
                     f'height="{max(y(low or 0) - y(high), 1):.1f}"><title>Khoảng thường thấy: '
                     f'{low or 0:g}–{high:g} sự việc/ngày</title></rect>')
    for i, (day, value) in enumerate(zip(days, stories)):
        x = pad_l + i * bar_w
        cls = "now" if day >= focus_from else "past"
        parts.append(f'<rect class="{cls}" x="{x + 0.5:.1f}" y="{y(value):.1f}" width="{max(bar_w - 1, 1):.1f}" '
                     f'height="{max(plot_h + pad_t - y(value), 0):.1f}"><title>{day:%d/%m}: {value} sự việc</title></rect>')
    if expected is not None:
        parts.append(f'<line class="expected" x1="{pad_l}" x2="{width - 6}" y1="{y(expected):.1f}" y2="{y(expected):.1f}"/>')
    for value in sorted({0, top}):
        parts.append(f'<text x="{pad_l - 4}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
    for i, day in enumerate(days):
        if day.weekday() == 0:
            parts.append(f'<text x="{pad_l + i * bar_w:.1f}" y="{height - 8}">{day:%d/%m}</text>')
    parts.append(f'<line class="axis" x1="{pad_l}" x2="{width - 6}" y1="{pad_t + plot_h}" y2="{pad_t + plot_h}"/>')
    return _svg(width, height, title, "".join(parts), "daily")


def week_bars(weeks: Sequence[tuple[dt.date, int]], title: str, width: int = 760, height: int = 90) -> Markup:
    """Counts per ISO week (Monday, count), oldest first, empty weeks drawn as gaps."""
    if not weeks:
        return Markup("")
    first, last = weeks[0][0], weeks[-1][0]
    n = max((last - first).days // 7 + 1, 12)  # a short span still reads as weeks, not one slab
    first = last - dt.timedelta(weeks=n - 1)
    counts = dict(weeks)
    top = max(counts.values())
    pad_b, pad_t = 16, 12
    bar_w = width / n
    parts = []
    for i in range(n):
        monday = first + dt.timedelta(weeks=i)
        value = counts.get(monday, 0)
        h = (height - pad_b - pad_t) * value / top if top else 0
        parts.append(f'<rect class="past" x="{i * bar_w:.1f}" y="{height - pad_b - h:.1f}" width="{max(bar_w - 1, 0.6):.1f}" '
                     f'height="{max(h, 0.5 if value else 0):.1f}"><title>Tuần từ {monday:%d/%m/%Y}: {value}</title></rect>')
    parts.append(f'<text x="0" y="{height - 3}">{first:%d/%m/%Y}</text>')
    parts.append(f'<text x="{width}" y="{height - 3}" text-anchor="end">{last:%d/%m/%Y}</text>')
    parts.append(f'<text x="{width}" y="9" text-anchor="end">tối đa {top}/tuần</text>')
    return _svg(width, height, title, "".join(parts), "weeks")
