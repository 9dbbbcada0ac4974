-- +goose envsub on
-- +goose up
INSERT INTO widgets VALUES (1, '${WIDGET_NAME:-sprocket}');

-- +goose down
DELETE FROM widgets WHERE name = '${WIDGET_NAME:-sprocket}';
-- +goose envsub off
