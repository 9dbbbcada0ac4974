-- label: unsafe
-- source: squawk rule docs, require-concurrent-partition-detach (squawkhq.com/docs/require-concurrent-partition-detach)
-- why: ACCESS EXCLUSIVE on measurements: queries on every partition wait
ALTER TABLE measurements DETACH PARTITION measurements_2024;
