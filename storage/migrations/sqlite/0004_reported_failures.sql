-- When a delivery Slack refused for good was shown to the project's owner.
ALTER TABLE deliveries ADD COLUMN reported_at TEXT;
CREATE INDEX deliveries_failed ON deliveries (team_id, status, reported_at);
