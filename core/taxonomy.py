"""The twelve issue topics (ids as in the taxonomy) and the names analysts read.

The one list of topics: the rules, the model, the digests, the alerts and the tests all take
it from here. The order is the model's column order; do not reorder.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    id: str
    vi: str
    en: str


_TOPICS = (
    Topic("land", "Đất đai, bồi thường, giải phóng mặt bằng", "Land, compensation, site clearance"),
    Topic("labor", "Lao động, đình công, nợ lương", "Labour, strikes, unpaid wages"),
    Topic("complaints", "Khiếu nại, tố cáo, kiến nghị", "Complaints, denunciations, petitions"),
    Topic("environment", "Môi trường, ô nhiễm", "Environment, pollution"),
    Topic("construction", "Trật tự xây dựng, đô thị", "Building and urban order"),
    Topic("corruption", "Tham nhũng, tiêu cực, lãng phí", "Corruption, wrongdoing, waste"),
    Topic("infrastructure", "Dự án, công trình, hạ tầng", "Projects, public works, infrastructure"),
    Topic("safety", "Thiên tai, cháy nổ, tai nạn, sự cố", "Disasters, fires, accidents"),
    Topic("health", "Y tế, dịch bệnh, an toàn thực phẩm", "Health, epidemics, food safety"),
    Topic("education", "Giáo dục", "Education"),
    Topic("livelihood", "Giá cả, đời sống, an sinh", "Prices, living conditions, welfare"),
    Topic("public_order", "An ninh trật tự", "Public order"),
)

TOPICS: tuple[str, ...] = tuple(t.id for t in _TOPICS)


def load_topics() -> dict[str, Topic]:
    """Topic id -> its names (a fresh dict: callers may not change the taxonomy)."""
    return {t.id: t for t in _TOPICS}


def topic_name(topics: dict[str, Topic], topic_id: str) -> str:
    """The Vietnamese name; an unknown id (a newer model's topic) is shown as is."""
    found = topics.get(topic_id)
    return found.vi if found else topic_id
