"""What "the current enrichment" of a document is, said once for every query that reads one.

An enrichment describes a document's current content when their content hashes agree (a
changed page is re-enriched before it counts again); of several such, the newest wins. The
`current_enrichments` view (created from `current_enrichments_sql()` by migration 034),
the hot-spot counts, the digests' windows and the NLP stage's "pending" all use this rule.
"""
from __future__ import annotations

# The rule, in two parts: which enrichments describe the document as it is now, and which one
# of those wins. `e` is an enrichment, `d` its document.
MATCHES_CONTENT = "e.doc_id = d.doc_id AND e.content_hash = d.content_hash"
NEWEST_WINS = "row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1"


def current_enrichments_sql(columns: str = "e.*", documents_where: str = "TRUE") -> str:
    """SELECT `columns` of the current enrichment of every document matching `documents_where`.

    The document filter runs before the ranking: a query over a few weeks ranks only those
    weeks' enrichments instead of every enrichment ever stored."""
    return (f"SELECT {columns} FROM enrichments e JOIN documents d ON {MATCHES_CONTENT} "
            f"WHERE {documents_where} QUALIFY {NEWEST_WINS}")


def current_enrichments_cheaply_sql(columns: str, documents_where: str, several_versions: bool) -> str:
    """The same rows as `current_enrichments_sql`, ranking only where ranking can change anything.

    The NLP stage keeps one enrichment per document (a re-tagged document's older tags are
    deleted), so normally nothing needs ranking: the window function, most of the cost at
    millions of rows, runs only when some document has several enrichments (`several_versions`,
    see `some_document_has_several_enrichments`), and then only over those documents."""
    base = f"SELECT {columns} FROM enrichments e JOIN documents d ON {MATCHES_CONTENT} WHERE {documents_where}"
    if not several_versions:
        return base
    several = "SELECT doc_id FROM enrichments GROUP BY doc_id HAVING count(*) > 1"
    return (f"{base} AND e.doc_id NOT IN ({several})\n"
            f"UNION ALL\n"
            f"{base} AND e.doc_id IN ({several}) QUALIFY {NEWEST_WINS}")


def some_document_has_several_enrichments(con) -> bool:
    return con.execute(
        "SELECT EXISTS (SELECT 1 FROM enrichments GROUP BY doc_id HAVING count(*) > 1)"
    ).fetchall()[0][0]


# One row per (document, topic, province) of the documents published in [$start, $end), with
# their current enrichment: what hot-spot trends, top stories and new places count over. Same
# meaning as the `document_topic_places` view, but a window's query reads only that window.
# `url` is the link users get: a forum post's thread, never the post's own permalink (which
# shows its author's name beside the post).
TOPIC_PLACE_ROWS = f"""
    SELECT d.doc_id, d.source, coalesce(d.thread_url, d.url) AS url, d.title, d.published_at,
           CAST(d.published_at AS DATE) AS published_day,
           coalesce(e.story_id, d.doc_id) AS story,
           t.topic, p.province
    FROM documents d
    JOIN ({current_enrichments_sql("e.doc_id, e.topics, e.provinces, e.story_id",
                                   "d.published_at >= $start AND d.published_at < $end")}) e ON e.doc_id = d.doc_id
    CROSS JOIN unnest(e.topics) AS t(topic)
    CROSS JOIN unnest(e.provinces) AS p(province)
    WHERE d.published_at >= $start AND d.published_at < $end
"""
