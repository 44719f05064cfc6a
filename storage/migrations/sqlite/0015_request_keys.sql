-- What a Slack request reports carries its key, so a request processed again (after a
-- crash, its inbox row's mark lost) is recognised and reports nothing twice.
ALTER TABLE metric_values ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX metric_values_request ON metric_values (team_id, request_key)
    WHERE request_key IS NOT NULL;
ALTER TABLE answer_revisions ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX answer_revisions_request ON answer_revisions (team_id, request_key)
    WHERE request_key IS NOT NULL;
