-- Scheduler core: what each delivery is for, its slot, its claim, and answers to check-ins.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkin';
ALTER TABLE deliveries ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN slot TEXT;
ALTER TABLE deliveries ADD COLUMN due_at TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_at TEXT;
ALTER TABLE deliveries ADD COLUMN responded_at TEXT;
ALTER TABLE deliveries ADD COLUMN responded_by TEXT;
CREATE INDEX deliveries_subject ON deliveries (team_id, kind, subject, posted_at);

ALTER TABLE stage_history ADD COLUMN reason TEXT;
