-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE tenant_settings (
    id int,
    label text DEFAULT '${STRATA_COMPAT_LABEL}',
    note text DEFAULT 'plain $STRATA_COMPAT_LABEL form'
);
COMMENT ON TABLE tenant_settings IS 'owned by ${STRATA_COMPAT_OWNER}';
-- +goose ENVSUB OFF

-- +goose Down
DROP TABLE tenant_settings;
