-- Delivery errors used to quote the whole webhook URL, whose user, password, path and query
-- can be tokens. Errors stored before are cut down to scheme://host[:port]/… like new ones.
UPDATE alert_outbox
SET last_error = regexp_replace(
        regexp_replace(last_error, '(https?://)[^\s/@]*@', '\1', 'g'),
        '(https?://[^\s/?#]+)[/?#][^\s]*', '\1/…', 'g')
WHERE last_error LIKE '%://%';
