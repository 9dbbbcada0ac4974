-- expect: none
ALTER TABLE users ADD COLUMN x int;
-- strata:lint-ignore drop-table -- backup table, never read by the app
DROP TABLE users_backup_2019;
