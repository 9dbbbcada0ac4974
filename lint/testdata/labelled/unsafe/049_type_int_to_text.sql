-- label: unsafe
-- source: squawk rule docs, changing-column-type (squawkhq.com/docs/changing-column-type)
-- why: int to text (an assignment cast) converts every value: rewrite
ALTER TABLE users ALTER COLUMN score TYPE text;
