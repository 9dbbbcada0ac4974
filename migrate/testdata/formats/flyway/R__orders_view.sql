CREATE OR REPLACE VIEW flyway_defaults AS SELECT '${flyway:defaultSchema}'::text AS schema_name;
