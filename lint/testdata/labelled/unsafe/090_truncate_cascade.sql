-- label: unsafe
-- source: squawk rule docs, ban-truncate-cascade (squawkhq.com/docs/ban-truncate-cascade)
-- why: CASCADE also empties users and orders, which reference accounts
TRUNCATE accounts CASCADE;
