-- label: unsafe
-- source: PostgreSQL docs, ALTER TABLE notes (sql-altertable.html)
-- why: SET DATA TYPE is TYPE: text to varchar(100) checks and rewrites
ALTER TABLE orders ALTER COLUMN note SET DATA TYPE varchar(100);
