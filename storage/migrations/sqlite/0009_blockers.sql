-- Blockers: what is in the way of a project, who can unblock it, who raised and who cleared it
-- (a project is blocked while it has a blocker not cleared).
CREATE TABLE blockers (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL,
    what          TEXT NOT NULL,
    unblocker_id  TEXT,
    raised_by     TEXT NOT NULL,
    raised_at     TEXT NOT NULL,
    request_key   TEXT NOT NULL,
    cleared_by    TEXT,
    cleared_at    TEXT,
    cleared_how   TEXT,
    UNIQUE (team_id, request_key)
);
CREATE INDEX blockers_project ON blockers (team_id, project_id, cleared_at);
