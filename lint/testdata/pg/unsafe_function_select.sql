-- expect: update-without-where
CREATE FUNCTION backfill() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE users SET plan = 'free';
END
$fn$;
SELECT backfill();
