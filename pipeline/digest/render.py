"""Render a digest's content to HTML (self-contained, autoescaped), Markdown and JSON.

Everything crawled (headlines, source names, URLs) is untrusted: HTML goes through Jinja's
autoescape, links are kept only for http(s) URLs, Markdown escapes its own markup characters.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.digest.charts import compare_bar, sparkline

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def safe_url(url: str | None) -> str | None:
    """Only web links become links; `javascript:` and friends stay text."""
    if isinstance(url, str) and re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def md(text: Any) -> str:
    """Markdown-escape crawled text so a headline cannot become markup or a raw HTML tag."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_url(url: str | None) -> str:
    good = safe_url(url)
    return good.replace("(", "%28").replace(")", "%29").replace(" ", "%20") if good else ""


def fmt_number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def fmt_when(value: Any) -> str:
    """ISO time from the content -> "19/11/2026 10:50" as Vietnamese readers write it."""
    if not value:
        return "–"
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return stamp.strftime("%d/%m/%Y %H:%M")


def fmt_pct(share: Any) -> str:
    """0.667 -> "67%"; nothing -> "–"."""
    if share is None:
        return "–"
    return f"{round(100 * float(share))}%"


def fmt_change(pct: Any) -> str:
    if pct is None:
        return "chưa có dữ liệu so sánh"
    return f"{'+' if pct > 0 else ''}{pct}% so với trung bình 7 ngày"


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.digest", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=fmt_number, pct=fmt_pct, change=fmt_change, when=fmt_when, safe_url=safe_url, md=md, md_url=md_url)
    env.globals.update(sparkline=sparkline, compare_bar=compare_bar)
    return env


def render_html(content: dict[str, Any]) -> str:
    return _environment(autoescape=True).get_template("digest.html.j2").render(d=content)


def render_markdown(content: dict[str, Any]) -> str:
    return _environment(autoescape=False).get_template("digest.md.j2").render(d=content)


def render_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2, default=str)


def write_atomic(path: Path, text: str) -> None:
    """Readers never see half a file: write next to it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_all(content: dict[str, Any], folder: Path, stem: str) -> dict[str, Path]:
    paths = {"html": folder / f"{stem}.html", "md": folder / f"{stem}.md", "json": folder / f"{stem}.json"}
    write_atomic(paths["html"], render_html(content))
    write_atomic(paths["md"], render_markdown(content))
    write_atomic(paths["json"], render_json(content))
    return paths


__all__ = ["Markup", "render_html", "render_markdown", "render_json", "write_all", "safe_url", "md"]
