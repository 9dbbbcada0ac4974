-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE tenant_${STRATA_COMPAT_LABEL} (
    id int,
    label text DEFAULT '${STRATA_COMPAT_LABEL}',
    note text DEFAULT 'plain $STRATA_COMPAT_LABEL form'
);
COMMENT ON TABLE tenant_${STRATA_COMPAT_LABEL} IS 'owned by ${STRATA_COMPAT_OWNER}';

-- +goose Down
DROP TABLE tenant_${STRATA_COMPAT_LABEL};
