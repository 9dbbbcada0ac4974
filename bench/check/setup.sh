#!/bin/sh
# setup.sh N: two PostgreSQL databases strata_bench_src and strata_bench_tgt
# with the same N rows in t, then one changed value in strata_bench_tgt.
set -eu
N=${1:-10000000}
PG=${PG:-"-h 127.0.0.1 -U postgres"}
psql $PG -qc "DROP DATABASE IF EXISTS strata_bench_src" -c "DROP DATABASE IF EXISTS strata_bench_tgt" -c "CREATE DATABASE strata_bench_src"
psql $PG -d strata_bench_src -qc "
CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c numeric(12,2), d timestamptz);
INSERT INTO t SELECT g, g % 100000, md5(g::text), (g % 99991) * 0.37, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, $N) g;" -c "VACUUM ANALYZE t"
psql $PG -qc "CREATE DATABASE strata_bench_tgt TEMPLATE strata_bench_src"
psql $PG -d strata_bench_tgt -qc "UPDATE t SET b = 'changed' WHERE id = $((N * 3 / 4 + 17))"
