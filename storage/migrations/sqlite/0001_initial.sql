-- Initial schema. Every table is keyed by the Slack workspace (team_id).
CREATE TABLE workspaces (
    team_id     TEXT PRIMARY KEY,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL
);

CREATE TABLE projects (
    id                INTEGER PRIMARY KEY,
    team_id           TEXT NOT NULL,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    slug              TEXT NOT NULL,
    channel_id        TEXT NOT NULL,
    thread_ts         TEXT,
    owner_id          TEXT NOT NULL,
    tz                TEXT NOT NULL,
    stage             TEXT NOT NULL,
    stage_entered_at  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (team_id, name_key),
    UNIQUE (team_id, slug)
);
CREATE INDEX projects_channel ON projects (team_id, channel_id);
CREATE UNIQUE INDEX projects_thread ON projects (team_id, channel_id, thread_ts);

CREATE TABLE stage_history (
    id             INTEGER PRIMARY KEY,
    team_id        TEXT NOT NULL,
    project_id     INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage          TEXT NOT NULL,
    entered_at     TEXT NOT NULL,
    entered_by     TEXT NOT NULL,
    forced         INTEGER NOT NULL DEFAULT 0,
    time_box_days  INTEGER
);
CREATE INDEX stage_history_project ON stage_history (team_id, project_id);

CREATE TABLE interviews (
    id                 INTEGER PRIMARY KEY,
    team_id            TEXT NOT NULL,
    project_id         INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage              TEXT NOT NULL,
    position           INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'active',
    question_ts        TEXT,
    post_state         TEXT NOT NULL DEFAULT 'pending',
    post_claimed_at    TEXT,
    post_error         TEXT,
    started_at         TEXT NOT NULL,
    completed_at       TEXT,
    UNIQUE (team_id, project_id, stage)
);

CREATE TABLE answers (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL,
    question_key  TEXT NOT NULL,
    status        TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    author_id     TEXT NOT NULL,
    message_ts    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (team_id, project_id, stage, question_key)
);
CREATE UNIQUE INDEX answers_message ON answers (team_id, project_id, message_ts);

CREATE TABLE answer_revisions (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT NOT NULL,
    answer_id   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    status      TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);

CREATE TABLE models (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    version      TEXT,
    tier         TEXT,
    deployed_at  TEXT NOT NULL,
    deployed_by  TEXT NOT NULL,
    retired_at   TEXT,
    UNIQUE (team_id, name_key)
);

CREATE TABLE business_metrics (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    model_id     INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    baseline     REAL,
    target       REAL,
    owner_id     TEXT,
    method       TEXT,
    window_days  INTEGER,
    direction    TEXT NOT NULL DEFAULT 'higher',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (team_id, model_id, name_key)
);

CREATE TABLE metric_values (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    metric_id    INTEGER NOT NULL REFERENCES business_metrics (id) ON DELETE CASCADE,
    value        REAL NOT NULL,
    observed_at  TEXT NOT NULL,
    reporter_id  TEXT NOT NULL
);
CREATE INDEX metric_values_metric ON metric_values (team_id, metric_id, observed_at);

CREATE TABLE schedules (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    days         TEXT NOT NULL,
    at_time      TEXT NOT NULL,
    tz           TEXT NOT NULL,
    next_due_at  TEXT,
    enabled      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (team_id, kind, subject)
);
CREATE INDEX schedules_due ON schedules (enabled, next_due_at);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    team_id          TEXT NOT NULL,
    delivery_key     TEXT NOT NULL,
    schedule_id      INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    channel_id       TEXT NOT NULL,
    thread_ts        TEXT,
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    posted_ts        TEXT,
    error            TEXT,
    created_at       TEXT NOT NULL,
    posted_at        TEXT,
    UNIQUE (team_id, delivery_key)
);
CREATE INDEX deliveries_pending ON deliveries (status, next_attempt_at);

-- Thread replies kept but not taken as answers: late replies, check-in notes.
CREATE TABLE thread_notes (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    stage         TEXT NOT NULL,
    question_key  TEXT,
    delivery_id   INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    author_id     TEXT NOT NULL,
    message_ts    TEXT NOT NULL,
    text          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (team_id, project_id, message_ts)
);

CREATE TABLE processed_events (
    team_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (team_id, event_id)
);
CREATE INDEX processed_events_expiry ON processed_events (expires_at);
