-- expect: add-check-constraint
ALTER TABLE users ADD COLUMN score int;
ALTER TABLE users ADD CONSTRAINT users_score_range CHECK (score BETWEEN 0 AND 100);
