-- +goose Up
CREATE TABLE gadgets (id int PRIMARY KEY);

-- +goose Down
DROP TABLE gadgets;
