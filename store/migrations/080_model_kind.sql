-- Which stage a model serves (topics / roles), so "labels waiting for a retrain" compares each
-- kind of label with its own model without reading meaning into version strings. Models recorded
-- before this column existed are told apart by the version prefix their trainer gave them.
ALTER TABLE models ADD COLUMN kind VARCHAR;
UPDATE models SET kind = CASE WHEN model_version LIKE 'roles-%' THEN 'roles' ELSE 'topics' END;
