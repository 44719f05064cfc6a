-- The MLflow Model Registry sync: which registered model a deployed model mirrors (NULL for a
-- model announced with /mle deploy), and what each sync saw and did, per workspace.
ALTER TABLE models ADD COLUMN registry TEXT;
CREATE TABLE registry_syncs (
    id      INTEGER PRIMARY KEY,
    team_id TEXT NOT NULL,
    ran_at  TEXT NOT NULL,
    report  TEXT NOT NULL
);
CREATE INDEX registry_syncs_team ON registry_syncs (team_id, id);
