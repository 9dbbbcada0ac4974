-- remember which data migration ran, next to golang-migrate's own version row
ALTER TABLE schema_migrations ADD COLUMN data_version int;
