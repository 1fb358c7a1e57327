-- Story-cluster memory of the NLP stage: one MinHash signature per enriched document, so a
-- republication crawled days later joins the story it repeats (see nlp/clusters.py).
CREATE TABLE nlp_story_signatures (
    doc_id      VARCHAR PRIMARY KEY,
    story_id    VARCHAR NOT NULL,
    text_key    VARCHAR,                 -- hash of the normalised text: exact copies share it
    signature   BLOB NOT NULL,           -- 64 uint64 MinHash values, little-endian
    indexed_at  TIMESTAMPTZ NOT NULL
);
