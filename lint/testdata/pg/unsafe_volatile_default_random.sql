-- expect: add-column-volatile-default
ALTER TABLE accounts ADD COLUMN shard int DEFAULT (random() * 100)::int;
