-- Author pseudonyms were one per author forever, so anyone with SQL could group one person's
-- posts across weeks and sites. They are now keyed by ISO week and source (crawlers/salt.py).
-- Stored ones are turned into per-week, per-source values here: a hash of (week, source, old
-- pseudonym). The old pseudonym is an HMAC under the author key and is gone after this, so
-- the new values cannot be linked across weeks; distinct-voice counts (always within a week)
-- are unchanged. (Only a week that spans the upgrade may count one voice twice: its earlier
-- posts keep this derived value, its later ones get the keyed one.)
UPDATE documents
SET author_hash = substr(sha256(
        strftime(coalesce(published_at, fetched_at) AT TIME ZONE 'Asia/Ho_Chi_Minh', '%G-W%V')
        || chr(31) || source || chr(31) || author_hash), 1, 24)
WHERE author_hash IS NOT NULL;

-- Digests and alerts link a post to its thread, not to the post's own permalink (which shows
-- its author's name). NULL for everything that is not a forum post.
ALTER TABLE documents ADD COLUMN thread_url VARCHAR;
