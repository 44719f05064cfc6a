-- A KPI kept in step with MLflow registered-model tags: what the last sync saw of them and what
-- MLE Coach's KPI was then (JSON), so the most recent change wins whichever side made it.
ALTER TABLE models ADD COLUMN registry_seen TEXT;
