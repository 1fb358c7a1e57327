-- Initial schema. Times are TIMESTAMPTZ; the session time zone is Asia/Ho_Chi_Minh.
CREATE TABLE sources (
    name             VARCHAR PRIMARY KEY,
    spider           VARCHAR NOT NULL,          -- feed / sitemap / listing / forum / json
    doc_kind         VARCHAR NOT NULL,          -- press / post / petition
    home_url         VARCHAR,
    default_province VARCHAR,                   -- for provincial outlets
    config           JSON,                      -- the whole validated source entry
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE crawl_run_seq START 1;
CREATE TABLE crawl_runs (
    run_id        BIGINT PRIMARY KEY DEFAULT nextval('crawl_run_seq'),
    source        VARCHAR NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL DEFAULT 'running',  -- running / ok / failed / interrupted
    pages_ok      INTEGER NOT NULL DEFAULT 0,
    pages_failed  INTEGER NOT NULL DEFAULT 0,
    skipped_seen  INTEGER NOT NULL DEFAULT 0,
    items_stored  INTEGER NOT NULL DEFAULT 0,
    failures      JSON,                                -- cause -> count
    note          VARCHAR
);

-- One row per failed fetch or parse, so `dulun status` can group failures by cause.
CREATE TABLE fetch_failures (
    run_id  BIGINT,
    source  VARCHAR NOT NULL,
    url     VARCHAR,
    cause   VARCHAR NOT NULL,   -- http_404, http_500, timeout, parse_error, robots, too_large, ...
    detail  VARCHAR,
    failed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE documents (
    doc_id            VARCHAR PRIMARY KEY,     -- stable: hash of the canonical URL
    source            VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL CHECK (kind IN ('press', 'post', 'petition')),
    url               VARCHAR NOT NULL,        -- canonical URL
    title             VARCHAR,
    lead              VARCHAR,
    text              VARCHAR,
    byline            VARCHAR,                 -- press byline as published; never aggregated
    author_hash       VARCHAR,                 -- posts only: salted hash, for distinct-voice counts
    published_at      TIMESTAMPTZ,
    fetched_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    language          VARCHAR,
    content_hash      VARCHAR NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    default_province  VARCHAR,                 -- the source's province, a hint for the place extractor
    text_dropped_at   TIMESTAMPTZ              -- set by retention when the raw text is removed
);

-- Earlier contents of documents whose page changed: a change stays visible.
CREATE TABLE document_versions (
    doc_id        VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR,
    lead          VARCHAR,
    text          VARCHAR,
    published_at  TIMESTAMPTZ,
    content_hash  VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    replaced_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE models (
    model_version VARCHAR PRIMARY KEY,
    created_at    TIMESTAMPTZ NOT NULL,
    path          VARCHAR,
    provenance    JSON                      -- library versions, training data, scores
);

CREATE TABLE enrichments (
    doc_id         VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    content_hash   VARCHAR NOT NULL,        -- the document content this enrichment describes
    language       VARCHAR,
    topics         VARCHAR[] NOT NULL,
    scores         JSON,                    -- topic -> probability
    provinces      VARCHAR[] NOT NULL,      -- the 34 current units by short name
    story_id       VARCHAR,                 -- same-story cluster
    enriched_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (doc_id, model_version)
);

-- Analysts' labels, used by the next `dulun train`.
CREATE TABLE labels (
    doc_id      VARCHAR PRIMARY KEY,
    topics      VARCHAR[] NOT NULL,
    provinces   VARCHAR[],
    labeled_at  TIMESTAMPTZ NOT NULL
);

-- Replaced per week by `dulun hotspots` (delete + insert in one transaction).
CREATE TABLE hotspots (
    iso_week     VARCHAR NOT NULL,          -- 2026-W47
    week_start   DATE NOT NULL,
    topic        VARCHAR NOT NULL,
    province     VARCHAR NOT NULL,
    documents    INTEGER NOT NULL,
    stories      INTEGER NOT NULL,
    sources      INTEGER NOT NULL,
    baseline     DOUBLE,                    -- expected stories from the trailing weeks
    score        DOUBLE,                    -- -log10 of the tail probability
    p_value      DOUBLE,
    level        VARCHAR,                   -- new / rising / persistent / cooling / (null: normal)
    computed_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE digests (
    kind        VARCHAR NOT NULL,           -- daily / weekly
    period      VARCHAR NOT NULL,           -- 2026-11-23 or 2026-W47
    created_at  TIMESTAMPTZ NOT NULL,
    html_path   VARCHAR,
    md_path     VARCHAR,
    json_path   VARCHAR,
    summary     JSON
);

CREATE TABLE alerts (
    alert_key   VARCHAR PRIMARY KEY,        -- hash of (rule, topic, province, period): never sent twice
    rule        VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    province    VARCHAR,
    period      VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    payload     JSON NOT NULL
);

-- Written before delivery; a row leaves 'pending' only when sent or given up with a reason.
CREATE TABLE alert_outbox (
    alert_key        VARCHAR NOT NULL,
    channel          VARCHAR NOT NULL,       -- email / webhook / file (+ target name)
    status           VARCHAR NOT NULL DEFAULT 'pending',  -- pending / sent / gave_up
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    last_error       VARCHAR,
    sent_at          TIMESTAMPTZ,
    PRIMARY KEY (alert_key, channel)
);
