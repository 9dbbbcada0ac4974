-- expect: add-column-volatile-default
ALTER TABLE legacy ADD COLUMN id bigserial;
