-- expect: alter-column-type set-not-null
ALTER TABLE t ALTER COLUMN c TYPE text USING c::text, ALTER COLUMN d SET NOT NULL;
