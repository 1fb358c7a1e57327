"""Topic ids and the Vietnamese names analysts read (pipeline/topics.yaml, from the taxonomy)."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Topic:
    id: str
    vi: str
    en: str


def load_topics() -> dict[str, Topic]:
    text = resources.files("pipeline").joinpath("topics.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)["topics"]
    return {tid: Topic(tid, entry["vi"], entry["en"]) for tid, entry in data.items()}


def topic_name(topics: dict[str, Topic], topic_id: str) -> str:
    """The Vietnamese name; an unknown id (a newer model's topic) is shown as is."""
    found = topics.get(topic_id)
    return found.vi if found else topic_id
