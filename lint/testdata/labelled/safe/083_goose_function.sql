-- label: safe
-- source: goose docs, StatementBegin/StatementEnd
-- why: catalog-only
-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION order_count(uid integer) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT count(*) FROM orders WHERE user_id = uid);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION order_count(integer);
