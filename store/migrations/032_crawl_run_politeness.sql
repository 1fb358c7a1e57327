-- What a crawl run did differently from the polite defaults (robots.txt ignored, other people's
-- hosts unthrottled, a user agent without the contact URL), so a run's record says it.
ALTER TABLE crawl_runs ADD COLUMN politeness VARCHAR;
