-- The poster's looks (is anything ready in this channel? which rows may it claim? is a post
-- of this thread still to go out?) read only deliveries that are not finished. Indexing all
-- of a channel's deliveries made each look scan its whole history (13 ms at 100,000 rows,
-- on every reply); this index holds only the unfinished ones, a handful at any time.
DROP INDEX deliveries_thread;
CREATE INDEX deliveries_open ON deliveries (channel_id, thread_ts, id)
    WHERE status IN ('pending', 'posting', 'checking', 'unknown');
