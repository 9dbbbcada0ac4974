-- strata:up
-- Accounts with an audit trail, written the way pg_dump and people write them.

CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE billing.accounts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL CHECK (email <> ''),
    note        text DEFAULT 'no; semicolons; here',
    "weird;col" int,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE billing.accounts IS E'Customer accounts.\nOne row per customer; never deleted.';

/* The trigger function. /* Nested comments are fine in PostgreSQL; */ so is this. */
CREATE OR REPLACE FUNCTION billing.touch() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
    msg text := 'touched; ok';
BEGIN
    NEW.updated_at := now();
    IF NEW.email IS DISTINCT FROM OLD.email THEN
        RAISE NOTICE 'email changed: % -> %', OLD.email, NEW.email;
    END IF;
    EXECUTE format($q$SELECT %L::text$q$, msg);
    RETURN NEW;
END;
$body$;

CREATE TRIGGER accounts_touch BEFORE UPDATE ON billing.accounts
    FOR EACH ROW EXECUTE FUNCTION billing.touch();

CREATE FUNCTION billing.grade(score integer) RETURNS text
    LANGUAGE SQL IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
        WHEN score >= 90 THEN 'A'
        WHEN score >= 80 THEN 'B'
        ELSE 'C'
    END;
END;

DO $$
BEGIN
    PERFORM billing.grade(95);
END
$$;

PREPARE by_email(text) AS SELECT id FROM billing.accounts WHERE email = $1;
SELECT 'C:\' AS path, 1 -- the backslash is ordinary in a standard string
