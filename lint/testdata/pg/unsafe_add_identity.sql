-- expect: add-column-generated
ALTER TABLE legacy ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
