-- expect: table-rewrite
ALTER INDEX orders_created_idx SET TABLESPACE fast_ssd;
