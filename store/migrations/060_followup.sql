-- Follow-up (issue 18): what role each document plays in its issue, the issue threads and their
-- members, and the statuses petition portals show. Threads are about issues: they are keyed by
-- documents and hold places, topics and named things (companies, facilities, roads), never people.

-- One row per document the follow-up stage has read, for the content it read (a changed page is
-- read again). role: report / response / resolution / none; detail: what kind of response
-- (received, inspecting, dialogue, instructed, replied, sanctioned) or remedy (paid, handed_over,
-- cleaned_up, repaired, removed, refunded, rejected, done).
CREATE TABLE doc_roles (
    doc_id        VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,
    detail        VARCHAR,
    confidence    DOUBLE,
    model_version VARCHAR NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL
);

-- A thread keeps what linking needs (its place, topics, named things, distinctive words, the time
-- its documents span); its states are computed from its members when read, as of any moment.
CREATE TABLE issue_threads (
    thread_id           VARCHAR PRIMARY KEY,   -- th-<doc_id of the document that opened it>
    topic               VARCHAR,               -- null until a member has a topic
    province            VARCHAR,               -- null until a member names its province
    topics              VARCHAR[] NOT NULL,
    names               JSON NOT NULL,         -- named thing -> weight
    words               JSON NOT NULL,         -- distinctive word pair -> weight
    opened_by           VARCHAR NOT NULL,
    first_published_at  TIMESTAMPTZ NOT NULL,
    last_published_at   TIMESTAMPTZ NOT NULL,
    documents           INTEGER NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

-- A document is in at most one thread, and stays in it.
CREATE TABLE thread_members (
    doc_id     VARCHAR PRIMARY KEY,
    thread_id  VARCHAR NOT NULL,
    story_id   VARCHAR NOT NULL,
    how        VARCHAR NOT NULL,   -- opened / story / names / ...
    score      DOUBLE,
    linked_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX thread_members_thread ON thread_members (thread_id);

-- What a petition portal showed about a petition, each time it changed: the portal's own status
-- text, the date the portal gives for it (an answer date) and when a crawl saw it.
CREATE TABLE portal_statuses (
    doc_id       VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    status_at    TIMESTAMPTZ,
    observed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (doc_id, observed_at)
);
