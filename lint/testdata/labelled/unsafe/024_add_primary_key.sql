-- label: unsafe
-- source: squawk rule docs, adding-serial-primary-key-field (squawkhq.com/docs/adding-serial-primary-key-field); Atlas lint analyzers, PG104 (atlasgo.io/lint/analyzers)
-- why: ACCESS EXCLUSIVE on audit_log while the key is checked NOT NULL and its index built
ALTER TABLE audit_log ADD PRIMARY KEY (id);
