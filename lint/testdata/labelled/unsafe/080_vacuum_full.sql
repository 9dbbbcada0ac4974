-- label: unsafe
-- source: squawk rule docs, prefer-repack (squawkhq.com/docs/prefer-repack)
-- why: VACUUM FULL rewrites orders under ACCESS EXCLUSIVE
VACUUM FULL orders;
