-- The enrichment readers should use for each document: the newest one that describes the
-- document's current content (a changed page is re-enriched before it counts again).
CREATE VIEW current_enrichments AS
SELECT e.*
FROM enrichments e
JOIN documents d ON d.doc_id = e.doc_id AND d.content_hash = e.content_hash
QUALIFY row_number() OVER (PARTITION BY e.doc_id ORDER BY e.enriched_at DESC, e.model_version DESC) = 1;

-- One row per (document, topic, province) with the document's week in Asia/Ho_Chi_Minh:
-- the shape hot spots, digests and notebooks count over.
CREATE VIEW document_topic_places AS
SELECT
    d.doc_id, d.source, d.kind, d.url, d.title, d.published_at,
    strftime(d.published_at, '%G-W%V') AS iso_week,
    CAST(d.published_at AS DATE) AS published_day,
    e.story_id, e.model_version,
    t.topic,
    p.province
FROM documents d
JOIN current_enrichments e ON e.doc_id = d.doc_id
CROSS JOIN unnest(e.topics) AS t(topic)
CROSS JOIN unnest(CASE WHEN len(e.provinces) = 0 THEN ['(none)'] ELSE e.provinces END) AS p(province)
WHERE d.published_at IS NOT NULL;
