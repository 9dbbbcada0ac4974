CREATE VIEW customer_names AS SELECT name FROM ${flyway:defaultSchema}.customer;
