-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY invoices_total_idx ON invoices (total);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY invoices_total_idx;
