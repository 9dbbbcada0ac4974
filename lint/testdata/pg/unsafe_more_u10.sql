-- expect: reindex-non-concurrent
REINDEX (VERBOSE) TABLE big_table;
