-- A reported KPI value can be corrected (its first value kept in corrected_from) or withdrawn
-- (kept, but left out of every figure, chart, flag and digest); changed_by: who did it.
ALTER TABLE metric_values ADD COLUMN corrected_from REAL;
ALTER TABLE metric_values ADD COLUMN withdrawn_at TEXT;
ALTER TABLE metric_values ADD COLUMN changed_by TEXT;
