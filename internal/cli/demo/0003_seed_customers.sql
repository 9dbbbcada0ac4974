-- strata:up
-- Sample data: 20,000 customers and 50,000 orders, so the backfill below has
-- real work to do.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO users (id, full_name, email)
SELECT i,
       CASE i % 4 WHEN 0 THEN 'Ada Lovelace' WHEN 1 THEN 'Alan Turing' WHEN 2 THEN 'Grace Brewster Hopper' ELSE 'Edsger Dijkstra' END,
       'user' || i || '@example.com'
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO orders (user_id, total_cents)
SELECT 1 + (i * 7919) % 20000, (i * 104729) % 100000 FROM n;

-- strata:down
DELETE FROM orders;
DELETE FROM users;
