-- Conditional GET state for feeds and sitemaps: the validators the server last sent, so the
-- next poll can ask "changed since?" and a 304 costs the site almost nothing.
CREATE TABLE http_validators (
    url            VARCHAR PRIMARY KEY,     -- canonical URL of the feed / sitemap / listing
    source         VARCHAR NOT NULL,
    etag           VARCHAR,
    last_modified  VARCHAR,                 -- as the server sent it (an HTTP date)
    updated_at     TIMESTAMPTZ NOT NULL
);
