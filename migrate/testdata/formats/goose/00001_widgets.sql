-- +goose up
CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL);
--+goose statementbegin
CREATE FUNCTION widgets_count() RETURNS bigint AS $$
  SELECT count(*) FROM widgets;
$$ LANGUAGE sql;
-- +goose   StatementEnd

-- +goose down
DROP FUNCTION widgets_count();
DROP TABLE widgets;
