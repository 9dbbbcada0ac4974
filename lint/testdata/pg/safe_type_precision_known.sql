-- expect: none
-- column-type: events.at timestamp(3) without time zone
-- column-type: events.at_tz timestamptz(0)
-- column-type: events.t time(3)
-- column-type: events.span interval(3)
-- column-type: events.mask bit varying(8)
-- column-type: events.net cidr
-- column-type: events.doc xml
-- Raising (or dropping) a fractional-second precision or a bit varying
-- length keeps every value; cidr is binary coercible to inet, xml to text.
SET lock_timeout = '2s';
ALTER TABLE events ALTER COLUMN at TYPE timestamp(6), ALTER COLUMN at_tz TYPE timestamptz,
  ALTER COLUMN t TYPE time(6), ALTER COLUMN span TYPE interval,
  ALTER COLUMN mask TYPE varbit(16), ALTER COLUMN net TYPE inet, ALTER COLUMN doc TYPE text;
