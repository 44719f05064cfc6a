-- The newest edit applied to an answer or a note (its Slack `edited.ts`, zero-padded so
-- that text order is time order): an older message_changed delivered later changes nothing.
ALTER TABLE answers ADD COLUMN edited_ts TEXT COLLATE "C";
ALTER TABLE thread_notes ADD COLUMN edited_ts TEXT COLLATE "C";
