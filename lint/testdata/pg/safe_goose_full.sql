-- expect: none
-- +goose Up
-- +goose StatementBegin
CREATE TABLE IF NOT EXISTS widgets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);
-- +goose StatementEnd
CREATE INDEX widgets_name_idx ON widgets (name);

-- +goose Down
DROP TABLE widgets;
