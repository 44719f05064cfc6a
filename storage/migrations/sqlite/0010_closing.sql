-- Closing a project: its outcome, why, who and when, and the stage it was in (for reopening).
ALTER TABLE projects ADD COLUMN outcome TEXT;
ALTER TABLE projects ADD COLUMN close_reason TEXT;
ALTER TABLE projects ADD COLUMN closed_by TEXT;
ALTER TABLE projects ADD COLUMN closed_at TEXT;
ALTER TABLE projects ADD COLUMN reopen_stage TEXT;
