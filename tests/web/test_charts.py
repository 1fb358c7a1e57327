"""Server-drawn charts: the tile map covers exactly the gazetteer's 34 provinces, data labels are
escaped, the colour legend covers every count once, and nothing needs an inline style."""
from __future__ import annotations

import datetime as dt

from dulun.web import charts


def test_the_tile_grid_has_one_tile_per_current_province_and_no_two_share_a_place():
    from nlp.provinces import Gazetteer

    assert set(charts.TILES) == set(Gazetteer.load().provinces)
    assert len(set(charts.TILES.values())) == len(charts.TILES) == 34


def test_labels_from_data_are_escaped_and_colours_are_attributes_not_styles():
    svg = str(charts.tile_map({"Hải Phòng": 7}, 'Tiêu đề <script>"x"</script>', {"Hải Phòng": '/search?q=a&b="c"'}))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "style=" not in svg
    heat = str(charts.heat_map([("p", "<b>P</b>")], [("t", "T&T")], {("p", "t"): 3}, "h"))
    assert "<b>" not in heat and "&lt;b&gt;" in heat and "T&amp;T" in heat


def test_the_legend_steps_cover_every_count_from_one_to_the_top_exactly_once():
    for top in (1, 2, 7, 8, 33, 1000):
        covered = [n for _, low, high in charts.scale_steps(top) for n in range(low, high + 1)]
        assert covered == list(range(1, top + 1)), top
        for n in range(1, top + 1):  # the legend says the colour the map uses
            colour = next(c for c, low, high in charts.scale_steps(top) if low <= n <= high)
            assert charts.scale_colour(n, top) == colour, (top, n)


def test_the_daily_chart_shades_the_focus_week_and_draws_the_band():
    days = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(21)]
    svg = str(charts.daily_band(days, [0] * 14 + [3] * 7, 0.2, 0.0, 1.0, dt.date(2026, 11, 16), "t"))
    assert svg.count('class="now"') == 7 and 'class="band"' in svg and 'class="expected"' in svg
