-- The outbox: deliveries also carry messages written by a state change (`payload`, the
-- message as rendered then) and reactions (`op`), posted by the same poster as scheduled
-- posts, in order within a thread.
ALTER TABLE deliveries ADD COLUMN payload TEXT;
ALTER TABLE deliveries ADD COLUMN op TEXT NOT NULL DEFAULT 'post';
CREATE INDEX deliveries_thread ON deliveries (channel_id, thread_ts, id);
-- Questions were posted by the interview itself; one left "posting" by the old code has no
-- outbox row and would never be posted: ask it again.
UPDATE interviews SET post_state = 'pending', post_claimed_at = NULL WHERE post_state = 'posting';
