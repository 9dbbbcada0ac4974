-- expect: reindex-non-concurrent
REINDEX TABLE orders;
