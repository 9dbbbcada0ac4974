-- label: safe
-- source: any migration directory
-- why: reads orders under ACCESS SHARE only
CREATE TABLE order_archive AS SELECT * FROM orders WHERE placed_at < now() - interval '5 years';
