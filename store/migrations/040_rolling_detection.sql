-- Rolling detection (pipeline/detect.py): hot spots every cycle over trailing windows, episodes,
-- and alerts that say when they were detected.

-- Every enrichment write takes the next number, so the detection index can pick up exactly what
-- was (re-)enriched since it last looked, whatever clock the enrichment stage was given.
CREATE SEQUENCE enrichment_seq START 1;
ALTER TABLE enrichments ADD COLUMN seq BIGINT DEFAULT nextval('enrichment_seq');

-- The detection index: one row per (topic, province, story), placed at the story's first report
-- in that cell. A story counts once, where and when it first appeared; detection reads only the
-- rows of its baseline period instead of unnesting millions of enrichments every cycle.
-- Derived data: maintained from enrichments after every enrichment, rebuilt when empty.
CREATE TABLE detect_stories (
    topic         VARCHAR NOT NULL,
    province      VARCHAR NOT NULL,
    story         VARCHAR NOT NULL,
    first_doc     VARCHAR NOT NULL,        -- the document that first reported it in this cell
    published_at  TIMESTAMPTZ NOT NULL,    -- that document's publication time
    fetched_at    TIMESTAMPTZ NOT NULL     -- when dulun fetched it: a replay counts the story from then on
);

CREATE TABLE detect_index_state (
    id            INTEGER PRIMARY KEY,     -- always 1
    last_seq      BIGINT NOT NULL,         -- the newest enrichments.seq the index has read
    rebuilt_at    TIMESTAMPTZ NOT NULL,
    refreshed_at  TIMESTAMPTZ NOT NULL
);

-- One row per detection run (the cycle's "now"); the scores of the newest run only.
CREATE TABLE detection_runs (
    detected_at   TIMESTAMPTZ PRIMARY KEY, -- the cycle's now: documents published and fetched by then
    computed_at   TIMESTAMPTZ NOT NULL,
    cells         INTEGER NOT NULL,
    flagged       INTEGER NOT NULL,
    seconds       DOUBLE
);

CREATE TABLE detections (
    detected_at   TIMESTAMPTZ NOT NULL,
    topic         VARCHAR NOT NULL,
    province      VARCHAR NOT NULL,
    window_hours  INTEGER NOT NULL,        -- 24, 72, 168: the trailing window ending at detected_at
    stories       INTEGER NOT NULL,
    documents     INTEGER,                 -- flagged cells only
    sources       INTEGER,
    baseline      DOUBLE,                  -- expected stories in this window
    p_value       DOUBLE,
    score         DOUBLE,
    flagged       BOOLEAN NOT NULL,
    level         VARCHAR,                 -- the cell's level (new / rising / persistent / cooling)
    best          BOOLEAN NOT NULL,        -- the cell's most significant window
    newest_story_at TIMESTAMPTZ            -- publication time of the newest story in the window
);

-- One wave in one cell: opened by the first run that flags the cell, closed once no window has
-- been flagged for `hotspots.episode_close_hours`.
CREATE SEQUENCE detect_episode_seq START 1;
CREATE TABLE detect_episodes (
    episode_id            BIGINT PRIMARY KEY DEFAULT nextval('detect_episode_seq'),
    topic                 VARCHAR NOT NULL,
    province              VARCHAR NOT NULL,
    opened_at             TIMESTAMPTZ NOT NULL,   -- detected_at of the run that first flagged it
    tipping_published_at  TIMESTAMPTZ,            -- publication time of the story that tipped it
    open_window_hours     INTEGER,
    open_stories          INTEGER,
    open_week_stories     INTEGER,                -- stories in the trailing 7 days when it opened
    last_flagged_at       TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,   -- the newest run that looked at it
    level                 VARCHAR,                -- as of updated_at
    window_hours          INTEGER,
    stories               INTEGER,
    week_stories          INTEGER,
    peak_week_stories     INTEGER,
    score                 DOUBLE,
    closed_at             TIMESTAMPTZ             -- NULL while the wave goes on
);

-- Alerts now come from episodes: which message of the episode, and when it was detected.
ALTER TABLE alerts ADD COLUMN kind VARCHAR;             -- opened / escalated / cooling (NULL: weekly alerts of earlier versions)
ALTER TABLE alerts ADD COLUMN episode_id BIGINT;
ALTER TABLE alerts ADD COLUMN detected_at TIMESTAMPTZ;  -- the cycle's now
ALTER TABLE alerts ADD COLUMN tipping_published_at TIMESTAMPTZ;
