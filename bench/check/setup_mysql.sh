#!/bin/sh
# setup_mysql.sh N: MariaDB database strata_bench with the same N rows in t as
# setup.sh puts in strata_bench_src (PostgreSQL), without the changed row.
set -eu
N=${1:-10000000}
MY=${MY:-"-h 127.0.0.1 -u root"}
mysql $MY -e "DROP DATABASE IF EXISTS strata_bench; CREATE DATABASE strata_bench"
mysql $MY strata_bench -e "
SET time_zone = '+00:00';
CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b text, c decimal(12,2), d timestamp NULL) ENGINE=InnoDB;
INSERT INTO t SELECT seq, seq % 100000, md5(seq), (seq % 99991) * 0.37, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_$N;
ANALYZE TABLE t;"
