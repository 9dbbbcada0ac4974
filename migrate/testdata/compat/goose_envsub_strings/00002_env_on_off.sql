-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE audit_${STRATA_COMPAT_LABEL} (id int);
-- +goose ENVSUB OFF
COMMENT ON TABLE audit_blue IS 'kept as written: ${NOT_SUBSTITUTED}';

-- +goose Down
DROP TABLE audit_blue;
