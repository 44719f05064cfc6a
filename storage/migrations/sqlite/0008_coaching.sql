-- Coaching: an interview's second round, a KPI's unit, and the built-in bank's move of
-- `significance` (sample size and test duration) from evaluation to deployment.
--
-- `reask`: the keys of the required questions left open when the first round ended, asked
-- once more before the brief (NULL: the first round has not ended; '' : nothing to re-ask).
ALTER TABLE interviews ADD COLUMN reask TEXT;
-- A business KPI's unit ('' none, '%', 'pp', '$' …): baseline, target and values share it.
ALTER TABLE business_metrics ADD COLUMN unit TEXT NOT NULL DEFAULT '';
-- Answers to `significance` given in evaluation move to deployment, where it is now asked
-- (unless deployment already has one).
UPDATE answers SET stage = 'deployment'
WHERE stage = 'evaluation' AND question_key = 'significance'
  AND NOT EXISTS (
      SELECT 1 FROM answers other
      WHERE other.team_id = answers.team_id AND other.project_id = answers.project_id
        AND other.stage = 'deployment' AND other.question_key = 'significance'
  );
-- Evaluation interviews in progress: `significance` was its second question (position 1), so
-- later positions move back by one; one waiting at position 1 asks its new question there.
-- Finished interviews keep their place (they show their brief).
UPDATE interviews SET position = position - 1
WHERE stage = 'evaluation' AND status = 'active' AND position > 1;
UPDATE interviews SET post_state = 'pending', post_claimed_at = NULL, question_ts = NULL
WHERE stage = 'evaluation' AND status = 'active' AND position = 1;
