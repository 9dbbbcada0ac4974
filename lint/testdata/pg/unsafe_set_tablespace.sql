-- expect: table-rewrite
ALTER TABLE orders SET TABLESPACE fast_ssd;
