-- Claims carry their owner, and owners beat: a process that died is seen within seconds
-- (its beat stops, or a restart on the same host marks it gone), not when a long timeout
-- has run out. `sending_at` is set just before the Web API call: after a crash only the
-- rows that were really on their way are looked for in Slack; the rest are posted at once.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE deliveries ADD COLUMN sending_at TEXT COLLATE "C";
CREATE TABLE posters (
    owner    TEXT COLLATE "C" PRIMARY KEY,
    beat_at  TEXT COLLATE "C" NOT NULL,
    gone_at  TEXT COLLATE "C"
);
