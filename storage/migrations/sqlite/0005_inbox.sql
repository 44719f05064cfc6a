-- The inbox: every Slack request that changes state, recorded before Slack is answered, and
-- processed from here (again after a crash, when its claim has gone stale).
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    request_key  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    claimed_at   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    done_at      TEXT,
    error        TEXT,
    UNIQUE (team_id, request_key)
);
CREATE INDEX inbox_open ON inbox (done_at, claimed_at);
