"""The shipped training data: what the model learns from must cover every topic, the taxonomy's
hard negatives, and full-length articles, not only templated headlines."""
from collections import Counter

from core.taxonomy import TOPICS
from nlp.train import SEED_FILES, load_seed, read_seed_file as read


def test_the_seed_set_is_both_files():
    assert len(load_seed()) == sum(len(read(name)) for name in SEED_FILES)


def test_every_item_is_well_formed_and_ids_are_unique():
    items = load_seed()
    assert len({it["id"] for it in items}) == len(items)
    for it in items:
        assert it["title"].strip()
        assert set(it["topics"]) <= set(TOPICS), it["id"]


def test_the_written_articles_are_full_length_and_distinct():
    articles = read("articles.jsonl")
    assert len(articles) >= 600
    assert len({a["title"].lower() for a in articles}) == len(articles)
    words = sorted(len(a["text"].split()) for a in articles)
    assert words[len(words) // 2] >= 120  # a real body, not a lead


def test_every_topic_has_article_positives_and_there_are_hard_negatives():
    articles = read("articles.jsonl")
    support = Counter(t for a in articles for t in a["topics"])
    assert min(support[t] for t in TOPICS) >= 20, support
    assert sum(not a["topics"] for a in articles) >= len(articles) // 3
    assert sum(len(a["topics"]) > 1 for a in articles) >= 60  # real stories often carry two topics
