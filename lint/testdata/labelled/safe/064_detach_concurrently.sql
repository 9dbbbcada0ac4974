-- label: safe
-- source: squawk rule docs, require-concurrent-partition-detach (squawkhq.com/docs/require-concurrent-partition-detach)
-- why: SHARE UPDATE EXCLUSIVE on the parent
ALTER TABLE measurements DETACH PARTITION measurements_2024 CONCURRENTLY;
