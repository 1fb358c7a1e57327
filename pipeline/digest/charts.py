"""Small inline SVG charts: no scripts, no external files, crisp on screen and on paper."""
from __future__ import annotations

from markupsafe import Markup, escape


def sparkline(values: list[int], labels: list[str], title: str, width: int = 160, height: int = 40) -> Markup:
    """Weekly bars, the last (current) week highlighted; `title` and labels are escaped."""
    if not values:
        return Markup("")
    pad = 2
    n = len(values)
    top = max(max(values), 1)
    bar_w = (width - 2 * pad) / n
    bars = []
    for i, (value, label) in enumerate(zip(values, labels)):
        h = (height - 2 * pad - 10) * value / top
        x = pad + i * bar_w
        y = height - pad - h
        cls = "now" if i == n - 1 else "past"
        bars.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" height="{max(h, 0.5):.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
    last = values[-1]
    text = f'<text x="{width - pad}" y="9" text-anchor="end">{last}</text>'
    return Markup(
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(bars)}{text}</svg>"
    )


def compare_bar(today: float, average: float, width: int = 220, height: int = 18) -> Markup:
    """Today against the trailing average, as two horizontal bars."""
    top = max(today, average, 1.0)
    w_today = (width - 2) * today / top
    w_avg = (width - 2) * average / top
    return Markup(
        f'<svg class="cmp" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Hôm nay {today:g}, trung bình 7 ngày {average:.1f}">'
        f'<rect class="now" x="1" y="1" width="{max(w_today, 0.5):.1f}" height="7"/>'
        f'<rect class="past" x="1" y="10" width="{max(w_avg, 0.5):.1f}" height="7"/></svg>'
    )
