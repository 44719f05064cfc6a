-- Deployed models: when to look at their business metrics next, and snoozes.
ALTER TABLE models ADD COLUMN slug TEXT NOT NULL DEFAULT '';
ALTER TABLE models ADD COLUMN next_check_at TEXT;
ALTER TABLE models ADD COLUMN snoozed_until TEXT;
ALTER TABLE models ADD COLUMN snooze_reason TEXT;
ALTER TABLE models ADD COLUMN snoozed_by TEXT;
CREATE INDEX models_check ON models (retired_at, next_check_at);
CREATE INDEX business_metrics_model ON business_metrics (team_id, model_id);
