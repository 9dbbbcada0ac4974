-- expect: table-rewrite
ALTER TABLE big_table SET UNLOGGED;
