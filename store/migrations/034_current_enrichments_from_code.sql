-- `current_enrichments` from the one definition of "the current enrichment" in
-- store/current.py (the migration runner puts current_enrichments_sql() where the marker is),
-- so the view and every query that ranks enrichments itself say the same thing.
CREATE OR REPLACE VIEW current_enrichments AS
{{current_enrichments}};
