#!/usr/bin/env bash
# Creates the benchmark data: a PostgreSQL table of $ROWS rows (default
# 5,000,000) in database bench_transfer_src and a MySQL/MariaDB table of
# $MYROWS rows (default 1,000,000, four columns) in bench_transfer_my.
set -euo pipefail
ROWS=${ROWS:-5000000}
MYROWS=${MYROWS:-1000000}
PG="psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1"
$PG -c "DROP DATABASE IF EXISTS bench_transfer_src" -c "CREATE DATABASE bench_transfer_src"
$PG bench_transfer_src -c "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2) NOT NULL, created timestamptz NOT NULL)" \
  -c "INSERT INTO items SELECT i, md5(i::text), (i % 100000) / 100.0, '2024-01-01'::timestamptz + i * interval '1 second' FROM generate_series(1, $ROWS) i" \
  -c "VACUUM ANALYZE items"
mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS bench_transfer_my; CREATE DATABASE bench_transfer_my"
mysql -uroot -h127.0.0.1 bench_transfer_my -e "
SET SESSION max_recursive_iterations = 100000000;
CREATE TABLE items (id int unsigned PRIMARY KEY, name varchar(64) NOT NULL, price decimal(12,2) NOT NULL, created datetime NOT NULL) ENGINE=InnoDB;
INSERT INTO items WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $MYROWS) SELECT i, MD5(i), (i % 100000) / 100, '2024-01-01 00:00:00' + INTERVAL i SECOND FROM s;
ANALYZE TABLE items;"
