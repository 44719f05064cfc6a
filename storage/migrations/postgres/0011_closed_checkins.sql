-- A closed project's check-ins are held (enabled = 2) instead of coming due every week and
-- being recorded as skipped; reopening the project resumes them. Projects closed before
-- this migration get the same.
UPDATE schedules SET enabled = 2
WHERE kind = 'checkin' AND enabled = 1 AND EXISTS (
    SELECT 1 FROM projects p
    WHERE p.team_id = schedules.team_id AND CAST(p.id AS TEXT) = schedules.subject
    AND p.stage = 'closed'
);
