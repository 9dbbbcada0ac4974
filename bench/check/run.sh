#!/usr/bin/env bash
# Compares two 10,000,000-row PostgreSQL tables that differ in one value:
# `strata verify` (chunked server-side checksums) against the client-side
# baseline `psql COPY (... ORDER BY id) | diff` of both tables, timed with
# hyperfine; then strata's PostgreSQL-against-MariaDB comparison when
# setup_mysql.sh has loaded the MariaDB copy.
#
#   bench/check/run.sh [-n RUNS] [-r ROWS] [-s]     (-s: skip setup.sh)
#
# environment: PG (psql connection flags, default -h 127.0.0.1 -U postgres),
# PGURL (default postgres://postgres@127.0.0.1:5432), MYURL (default
# mysql://root@127.0.0.1:3306).
set -euo pipefail
runs=5
rows=10000000
setup=1
while getopts "n:r:sh" opt; do
	case $opt in
	n) runs=$OPTARG ;;
	r) rows=$OPTARG ;;
	s) setup=0 ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
PG=${PG:-"-h 127.0.0.1 -U postgres"}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
MYURL=${MYURL:-mysql://root@127.0.0.1:3306}
out=$(mktemp -d /tmp/strata-bench-check.XXXXXX)
if [ "$setup" = 1 ]; then
	"$here/setup.sh" "$rows"
fi
(cd "$root" && go build -o "$out/strata" ./cmd/strata)
src="$PGURL/strata_bench_src?sslmode=disable"
tgt="$PGURL/strata_bench_tgt?sslmode=disable"
cat >"$out/copydiff.sh" <<EOS
#!/usr/bin/env bash
diff <(psql $PG -d strata_bench_src -c "COPY (SELECT * FROM t ORDER BY id) TO STDOUT") \
     <(psql $PG -d strata_bench_tgt -c "COPY (SELECT * FROM t ORDER BY id) TO STDOUT")
EOS
chmod +x "$out/copydiff.sh"

echo "== rows read and the differing key"
"$out/strata" verify --source "$src" --target "$tgt" --table t --key id --json | tee "$out/verify.json" | grep -E '"(mode|source_rows|chunks|changed|missing|extra|key|rows_read|hashes_read|elapsed_ms)"' || true
"$out/copydiff.sh" | tee "$out/copydiff.txt" || true

echo "== timing ($runs runs each)"
hyperfine -N -w 1 -r "$runs" -i --export-markdown "$out/pg.md" \
	-n "strata verify (native hashes)" "$out/strata verify --source $src --target $tgt --table t --key id" \
	-n "strata verify --normalize (cross-engine hashes)" "$out/strata verify --source $src --target $tgt --table t --key id --normalize" \
	-n "psql COPY | diff" "$out/copydiff.sh"
cat "$out/pg.md"

if mysql -h 127.0.0.1 -u root -e "SELECT 1 FROM strata_bench.t LIMIT 1" >/dev/null 2>&1; then
	echo "== PostgreSQL (one changed row) against MariaDB"
	my="$MYURL/strata_bench"
	"$out/strata" verify --source "$tgt" --target "$my" --table t --key id --json | grep -E '"(mode|source_rows|target_rows|changed|key|rows_read|elapsed_ms)"' || true
	hyperfine -N -w 0 -r "$runs" -i --export-markdown "$out/mysql.md" \
		-n "strata verify postgres against mariadb" "$out/strata verify --source $tgt --target $my --table t --key id"
	cat "$out/mysql.md"
fi
echo "results in $out"
