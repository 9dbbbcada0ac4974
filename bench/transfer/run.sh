#!/usr/bin/env bash
# Runs the transfer benchmarks after setup.sh: PostgreSQL→PostgreSQL against a
# psql COPY pipe into the same table shape (no secondary index), and
# MySQL→PostgreSQL against pgloader when it is installed. Each figure is the
# wall time of the whole command; runs are interleaved, $RUNS each (default 3).
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-3}
STRATA=${STRATA:-/tmp/strata-b}
(cd ../.. && go build -o "$STRATA" ./cmd/strata)
PG="psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1"
ROWS=$($PG -At bench_transfer_src -c "SELECT count(*) FROM items")
MYROWS=$(mysql -uroot -h127.0.0.1 -N bench_transfer_my -e "SELECT count(*) FROM items")
fresh() { $PG -c "DROP DATABASE IF EXISTS bench_transfer_dst WITH (FORCE)" -c "CREATE DATABASE bench_transfer_dst"; }
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):.0f} rows/s ({$3-$2:.2f} s)')"; }
cat > /tmp/bench-pg.yaml <<YAML
source: postgres://postgres@127.0.0.1:5432/bench_transfer_src?sslmode=disable
target: postgres://postgres@127.0.0.1:5432/bench_transfer_dst?sslmode=disable
workers: ${WORKERS:-2}
chunk_rows: 50000
verify: false
tables:
  - from: items
    key: id
    create: true
YAML
cat > /tmp/bench-my.yaml <<YAML
source: mysql://root@127.0.0.1:3306/bench_transfer_my
target: postgres://postgres@127.0.0.1:5432/bench_transfer_dst?sslmode=disable
workers: ${WORKERS:-2}
chunk_rows: 50000
verify: false
tables:
  - from: items
    key: id
    create: true
YAML
for i in $(seq "$RUNS"); do
  fresh
  $PG bench_transfer_dst -c "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2) NOT NULL, created timestamptz NOT NULL)"
  t0=$(now)
  psql -h 127.0.0.1 -U postgres -q bench_transfer_src -c "COPY items TO STDOUT" | psql -h 127.0.0.1 -U postgres -q bench_transfer_dst -c "COPY items FROM STDIN"
  t1=$(now); echo "run $i psql COPY pipe  PG→PG $ROWS rows: $(rate "$ROWS" "$t0" "$t1")"
  fresh
  t0=$(now)
  "$STRATA" transfer /tmp/bench-pg.yaml >/dev/null 2>&1
  t1=$(now); echo "run $i strata transfer PG→PG $ROWS rows: $(rate "$ROWS" "$t0" "$t1")"
  test "$($PG -At bench_transfer_dst -c 'SELECT count(*) FROM items')" = "$ROWS"
  if [ "${SKIP_MYSQL:-}" = "" ]; then
    fresh
    t0=$(now)
    "$STRATA" transfer /tmp/bench-my.yaml >/dev/null 2>&1
    t1=$(now); echo "run $i strata transfer MySQL→PG $MYROWS rows: $(rate "$MYROWS" "$t0" "$t1")"
    test "$($PG -At bench_transfer_dst -c 'SELECT count(*) FROM items')" = "$MYROWS"
    if command -v pgloader >/dev/null; then
      fresh
      t0=$(now)
      pgloader mysql://root@127.0.0.1/bench_transfer_my postgresql://postgres@127.0.0.1/bench_transfer_dst >/tmp/pgloader.out 2>&1 || echo "pgloader exit $?"
      t1=$(now); echo "run $i pgloader        MySQL→PG $MYROWS rows: $(rate "$MYROWS" "$t0" "$t1") target rows: $($PG -At bench_transfer_dst -c 'SELECT count(*) FROM bench_transfer_my.items' 2>/dev/null || echo '?')"
    fi
  fi
done
