-- expect: none
/* multi-line
   header */

-- strata:no-transaction

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_created
    ON orders USING btree (created_at DESC);

-- done
