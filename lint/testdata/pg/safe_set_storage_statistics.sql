-- expect: none
ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE documents SET (autovacuum_vacuum_scale_factor = 0.01);
