-- Fingerprints (never the keys) of the secrets the stored data depends on. The author key
-- makes the pseudonyms: a second key would silently count every voice twice, so a crawl
-- with a key whose fingerprint differs from the recorded one is refused.
CREATE TABLE key_fingerprints (
    name         VARCHAR PRIMARY KEY,   -- author_key
    fingerprint  VARCHAR NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
