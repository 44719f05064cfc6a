-- A model's slug names it in commands (`/mle metric churn-v2 …`), so no two models of a
-- workspace may share one: `churn v2`, `churn_v2` and `churn-v2` all read `churn-v2`.
-- Rows from before slugs were kept get one from their id; of models sharing a slug, the
-- first keeps it and the others get their id appended (their names do not change).
UPDATE models SET slug = 'm-' || CAST(id AS TEXT) WHERE slug = '';
UPDATE models SET slug = slug || '-' || CAST(id AS TEXT)
WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY team_id, slug ORDER BY id) AS n FROM models
    ) ranked WHERE n > 1
);
CREATE UNIQUE INDEX models_slug ON models (team_id, slug);
