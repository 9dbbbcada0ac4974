#!/usr/bin/env bash
# The issue's judging scenario in small: a MariaDB schema of four related
# tables with zero dates in NOT NULL datetime and date columns, enums,
# unsigned ints, a comma-list column and orphans, copied into PostgreSQL by
# strata (killed with -9 halfway, then --resume) and by pgloader with its
# defaults. N scales the row counts (default 200000 orders).
set -euo pipefail
cd "$(dirname "$0")"
N=${N:-200000}
STRATA=${STRATA:-/tmp/strata-b}
(cd ../.. && go build -o "$STRATA" ./cmd/strata)
PG="psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1"
mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS bench_scn; CREATE DATABASE bench_scn"
mysql -uroot -h127.0.0.1 bench_scn -e "
SET SESSION sql_mode = '';
SET SESSION max_recursive_iterations = 100000000;
CREATE TABLE customers (id int unsigned PRIMARY KEY, name varchar(80) NOT NULL, tier enum('free','pro','enterprise') NOT NULL, signed_up datetime NOT NULL, born date, active tinyint(1) NOT NULL);
CREATE TABLE products (id smallint unsigned PRIMARY KEY, title varchar(80) NOT NULL, price decimal(10,2) NOT NULL, tags varchar(200));
CREATE TABLE orders (id bigint unsigned PRIMARY KEY, customer_id int unsigned, placed datetime NOT NULL, shipped date, status enum('new','paid','shipped') NOT NULL);
CREATE TABLE order_items (order_id bigint unsigned NOT NULL, product_id smallint unsigned NOT NULL, qty int unsigned NOT NULL, PRIMARY KEY (order_id, product_id));
INSERT INTO customers WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < $N/4) SELECT i, CONCAT('customer ', i), ELT(1 + i % 3, 'free','pro','enterprise'), IF(i % 997 = 0, '0000-00-00 00:00:00', '2020-01-01' + INTERVAL i MINUTE), IF(i % 991 = 0, '0000-00-00', '1980-01-01' + INTERVAL i % 10000 DAY), i % 2 FROM s;
INSERT INTO products WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 500) SELECT i, CONCAT('product ', i), i * 1.25, IF(i % 5 = 0, NULL, CONCAT('t', i % 7, ',t', i % 11, ', t', i % 13)) FROM s;
INSERT INTO orders WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < $N) SELECT i, IF(i % 1009 = 0, 4000000000, 1 + i % ($N/4)), IF(i % 1013 = 0, '0000-00-00 00:00:00', '2023-01-01' + INTERVAL i SECOND), IF(i % 3 = 0, NULL, IF(i % 1019 = 0, '0000-00-00', '2023-02-01' + INTERVAL i % 300 DAY)), ELT(1 + i % 3, 'new','paid','shipped') FROM s;
INSERT INTO order_items WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < $N) SELECT i, 1 + i % 500, 1 + i % 4 FROM s UNION ALL SELECT i, 1 + (i + 7) % 500, 2 FROM s WHERE i % 2 = 0;
"
echo "source rows: $(mysql -uroot -h127.0.0.1 -N bench_scn -e "SELECT (SELECT count(*) FROM customers)+(SELECT count(*) FROM products)+(SELECT count(*) FROM orders)+(SELECT count(*) FROM order_items)")"
$PG -c "DROP DATABASE IF EXISTS bench_scn_dst WITH (FORCE)" -c "CREATE DATABASE bench_scn_dst"
cat > /tmp/scenario.yaml <<YAML
source: mysql://root@127.0.0.1:3306/bench_scn
target: postgres://postgres@127.0.0.1:5432/bench_scn_dst?sslmode=disable
chunk_rows: 10000
tables:
  - from: customers
    key: id
    create: true
  - from: products
    key: id
    create: true
    columns: {drop: [tags]}
  - from: products
    to: product_tags
    key: id
    create: true
    explode: {column: tags, into: tag}
    columns: {keep: [id, tag], rename: {id: product_id}}
  - from: orders
    key: id
    create: true
    references:
      - {column: customer_id, table: customers, orphans: quarantine}
  - from: order_items
    key: [order_id, product_id]
    create: true
    references:
      - {column: order_id, table: orders, orphans: skip}
YAML
"$STRATA" transfer /tmp/scenario.yaml > /tmp/scenario-1.txt 2>&1 &
pid=$!
until [ "$($PG -At bench_scn_dst -c "SELECT count(*) FROM strata_transfer_chunks WHERE tbl = 'orders'" 2>/dev/null || echo 0)" -ge $((N / 20000)) ]; do sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null || true
echo "killed -9 with $($PG -At bench_scn_dst -c "SELECT count(*) FROM orders") orders copied"
set +e
"$STRATA" transfer /tmp/scenario.yaml --resume --json > /tmp/scenario-resume.json
echo "strata --resume exit $?"
set -e
python3 - <<'PY'
import json
d = json.load(open('/tmp/scenario-resume.json'))
for t in d['tables']:
    print(f"{t['to']:14} read {t['read']:8} written {t['written']:8} quarantined {t['quarantined']:5} skipped {t['skipped']:5} zero_dates {t['zero_dates']:4} orphans {t['orphans']:4} resumed_chunks {t['resumed_chunks']:3} verify {t.get('verify',{}).get('ok')} ({t.get('verify',{}).get('method')})")
print("ok:", d['ok'])
PY
$PG bench_scn_dst -At -c "SELECT tbl, error, count(*) FROM strata_transfer_quarantine GROUP BY 1, 2 ORDER BY 1" | sed 's/[0-9]\{4,\}/N/g' | sort | uniq -c | head
if command -v pgloader >/dev/null; then
  $PG -c "DROP DATABASE IF EXISTS bench_scn_pgl WITH (FORCE)" -c "CREATE DATABASE bench_scn_pgl"
  set +e
  pgloader mysql://root@127.0.0.1/bench_scn postgresql://postgres@127.0.0.1/bench_scn_pgl > /tmp/scenario-pgloader.txt 2>&1
  echo "pgloader exit $?"
  set -e
  for t in customers products orders order_items; do
    echo "pgloader $t: source $(mysql -uroot -h127.0.0.1 -N bench_scn -e "SELECT count(*) FROM $t") target $($PG -At bench_scn_pgl -c "SELECT count(*) FROM bench_scn.$t" 2>/dev/null || echo missing)"
  done
fi
