#!/usr/bin/env bash
# Times applying N trivial migrations (default 500) to a fresh PostgreSQL
# database with strata (default and --single-transaction), goose,
# golang-migrate and psql. See README.md in this directory.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: bench/migrate/run.sh [-n RUNS] [-m MIGRATIONS] [-o OUTDIR] [-l] [-q IDLE%] [-t REGEX]
  -n RUNS        timed runs per command (default 5)
  -m MIGRATIONS  number of migrations to generate (default 500)
  -o OUTDIR      where to keep the generated files and results (default: a new temp dir)
  -l             time with the built-in loop, which interleaves the commands
                 (run 1 of every command, then run 2, ...), even when hyperfine
                 is installed; without hyperfine the loop is used anyway
  -q IDLE%       before each run, wait (up to -w seconds) until the CPUs were at
                 least IDLE% idle over one second; on a shared machine this
                 keeps other jobs' bursts out of the figures (default 0: no wait)
  -w SECONDS     longest wait for -q (default 60)
  -t REGEX       time only the commands whose names match REGEX (grep -E), e.g.
                 'single|psql -1'
environment:
  STRATA_BENCH_PG  admin URL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
  STRATA           strata binary (default: built from this checkout into OUTDIR)
  STRATA_BASE      a second strata binary (an older build) to time beside it, as
                   "strata-base up" and "strata-base up --single-transaction"
  GOOSE, MIGRATE   peer binaries (default: $PEERS_BIN/goose, $PEERS_BIN/migrate, then PATH);
                   a peer that is not installed is skipped with a message
  PEERS_BIN        where the peers were installed with GOBIN (default /tmp/peers)
USAGE
}

runs=5
count=500
out=""
force_loop=0
quiet=0
quiet_max=60
only=""
while getopts "n:m:o:lq:w:t:h" opt; do
	case $opt in
	n) runs=$OPTARG ;;
	m) count=$OPTARG ;;
	o) out=$OPTARG ;;
	l) force_loop=1 ;;
	q) quiet=$OPTARG ;;
	w) quiet_max=$OPTARG ;;
	t) only=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
admin=${STRATA_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
peers_bin=${PEERS_BIN:-/tmp/peers}
out=${out:-$(mktemp -d /tmp/strata-bench-migrate.XXXXXX)}
mkdir -p "$out"
db="strata_bench_migrate_$$"
# The URL of the benchmark database: admin URL with its path replaced.
dburl=$(printf '%s' "$admin" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$db#")
case $dburl in */"$db"*) ;; *) echo "cannot put the database name into $admin" >&2; exit 2 ;; esac

log() { printf '%s\n' "$*" >&2; }

# --- generate ---------------------------------------------------------------
gen() {
	local pairs="$out/pairs" goose="$out/goose" all="$out/all.sql" i v
	rm -rf "$pairs" "$goose"
	mkdir -p "$pairs" "$goose"
	: >"$all"
	for ((i = 1; i <= count; i++)); do
		v=$(printf '%05d' "$i")
		printf 'CREATE TABLE t_%d (id bigint PRIMARY KEY, v text);\n' "$i" >"$pairs/${v}_t.up.sql"
		printf 'DROP TABLE t_%d;\n' "$i" >"$pairs/${v}_t.down.sql"
		printf -- '-- +goose Up\nCREATE TABLE t_%d (id bigint PRIMARY KEY, v text);\n\n-- +goose Down\nDROP TABLE t_%d;\n' "$i" "$i" >"$goose/${v}_t.sql"
		printf 'CREATE TABLE t_%d (id bigint PRIMARY KEY, v text);\n' "$i" >>"$all"
	done
}
gen
log "generated $count migrations in $out/pairs (strata, golang-migrate), $out/goose (goose) and $out/all.sql (psql)"

# --- tools ------------------------------------------------------------------
strata=${STRATA:-}
if [[ -z $strata ]]; then
	strata="$out/strata"
	log "building strata from $root"
	(cd "$root" && go build -o "$strata" ./cmd/strata)
fi
find_peer() { # name env-value
	local name=$1 val=$2
	if [[ -n $val ]]; then printf '%s' "$val"; return; fi
	if [[ -x $peers_bin/$name ]]; then printf '%s' "$peers_bin/$name"; return; fi
	command -v "$name" 2>/dev/null || true
}
goose=$(find_peer goose "${GOOSE:-}")
migrate=$(find_peer migrate "${MIGRATE:-}")

names=() cmds=()
add() {
	if [[ -n $only ]] && ! grep -Eq -- "$only" <<<"$1"; then return; fi
	names+=("$1"); cmds+=("$2")
}
add "strata up" "$strata --database '$dburl' --dir '$out/pairs' up"
add "strata up --single-transaction" "$strata --database '$dburl' --dir '$out/pairs' up --single-transaction"
if [[ -n ${STRATA_BASE:-} ]]; then
	add "strata-base up" "$STRATA_BASE --database '$dburl' --dir '$out/pairs' up"
	add "strata-base up --single-transaction" "$STRATA_BASE --database '$dburl' --dir '$out/pairs' up --single-transaction"
fi
if [[ -n $goose ]]; then
	add "goose up" "$goose -dir '$out/goose' postgres '$dburl' up"
else
	log "goose not installed: skipped (GOBIN=$peers_bin go install github.com/pressly/goose/v3/cmd/goose@latest)"
fi
if [[ -n $migrate ]]; then
	add "golang-migrate up" "$migrate -path '$out/pairs' -database '$dburl' up"
else
	log "golang-migrate not installed: skipped (GOBIN=$peers_bin go install -tags postgres github.com/golang-migrate/migrate/v4/cmd/migrate@latest)"
fi
add "psql -1 -f" "psql -X -q -v ON_ERROR_STOP=1 -1 -f '$out/all.sql' '$dburl'"
add "psql -f" "psql -X -q -v ON_ERROR_STOP=1 -f '$out/all.sql' '$dburl'"

# --- database ---------------------------------------------------------------
# prepare.sh waits for a quiet machine (-q), logs how idle the CPUs were and
# gives the run a fresh database. It runs before every timed run, untimed.
cat >"$out/prepare.sh" <<PREPARE
#!/usr/bin/env bash
set -euo pipefail
idle() {
	local u1 n1 s1 i1 w1 q1 sq1 st1 u2 n2 s2 i2 w2 q2 sq2 st2
	read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
	sleep 1
	read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
	local busy=\$(( (u2+n2+s2+q2+sq2+st2) - (u1+n1+s1+q1+sq1+st1) )) free=\$(( (i2+w2) - (i1+w1) ))
	echo \$(( 100 * free / (busy + free) ))
}
pct=\$(idle)
for ((w = 1; w < $quiet_max && pct < $quiet && \${NOWAIT:-0} == 0; w++)); do
	pct=\$(idle)
done
echo "\$(date -u +%T) idle=\${pct}% load=\$(cut -d' ' -f1 /proc/loadavg)" >>"$out/prepare.log"
psql -X -q -v ON_ERROR_STOP=1 '$admin' -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' -c 'CREATE DATABASE $db TEMPLATE template0'
PREPARE
chmod +x "$out/prepare.sh"
: >"$out/prepare.log"
fresh="'$out/prepare.sh'"
cleanup() { psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# Every command must really apply all the migrations: check once, untimed.
check() {
	local name=$1 cmd=$2 n
	NOWAIT=1 "$out/prepare.sh"
	if ! eval "$cmd" >"$out/check.log" 2>&1; then
		log "$name failed:"; tail -5 "$out/check.log" >&2; exit 1
	fi
	n=$(psql -X -At "$dburl" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t_[0-9]+\$'")
	if [[ $n != "$count" ]]; then
		log "$name created $n tables, want $count"; exit 1
	fi
}
for i in "${!cmds[@]}"; do check "${names[$i]}" "${cmds[$i]}"; done
log "every command applies all $count migrations"
: >"$out/prepare.log"

versions="$out/versions.txt"
{
	if [[ -n ${STRATA:-} ]]; then
		echo "strata: $("$strata" version 2>/dev/null | head -1 || true) (prebuilt binary $strata)"
	else
		echo "strata: $("$strata" version 2>/dev/null | head -1 || true) (built from checkout $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown))"
	fi
	[[ -n ${STRATA_BASE:-} ]] && echo "strata-base: $("$STRATA_BASE" version 2>/dev/null | head -1 || true) (prebuilt binary $STRATA_BASE)"
	[[ -n $goose ]] && echo "goose: $(go version -m "$goose" 2>/dev/null | awk '$1=="mod"{print $3}')"
	[[ -n $migrate ]] && echo "golang-migrate: $(go version -m "$migrate" 2>/dev/null | awk '$1=="mod"{print $3}')"
	echo "psql: $(psql --version | awk '{print $3}'); server: $(psql -X -At "$admin" -c 'SHOW server_version')"
	echo "go: $(go version | awk '{print $3}'); cpus: $(nproc)"
} >"$versions"

# --- time -------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results="$out/results.tsv"
printf 'tool\tmedian_s\tmin_s\tmean_s\truns\n' >"$results"
if command -v hyperfine >/dev/null && [[ $force_loop == 0 ]]; then
	args=()
	for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
	hyperfine --runs "$runs" --prepare "$fresh" --export-json "$out/hyperfine.json" \
		--export-markdown "$out/hyperfine.md" "${args[@]}" >&2
	jq -r '.results[] | [.command, (.median*1000|round/1000), (.min*1000|round/1000), (.mean*1000|round/1000), (.times|length)] | @tsv' "$out/hyperfine.json" >>"$results"
else
	log "timing with the built-in loop, commands interleaved (each run's time in times.tsv)"
	printf 'tool\tround\tseconds\n' >"$out/times.tsv"
	declare -A us
	for ((r = 0; r < runs; r++)); do
		for i in "${!cmds[@]}"; do
			eval "$fresh"
			t0=$(date +%s%N)
			eval "${cmds[$i]}" >/dev/null 2>&1 || { log "${names[$i]} failed"; exit 1; }
			t1=$(date +%s%N)
			us[$i]+="$(((t1 - t0) / 1000)) "
			printf '%s\t%d\t%.3f\n' "${names[$i]}" "$((r + 1))" "$(((t1 - t0) / 1000))e-6" >>"$out/times.tsv"
		done
	done
	for i in "${!cmds[@]}"; do
		printf '%s\n' ${us[$i]} | sort -n | awk -v name="${names[$i]}" '
			{ t[NR] = $1 / 1e6; s += t[NR] }
			END {
				med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
				printf "%s\t%.3f\t%.3f\t%.3f\t%d\n", name, med, t[1], s / NR, NR
			}' >>"$results"
	done
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "load average (1, 5, 15 min) before: $load_before; after: $load_after" >>"$versions"
echo "CPU idle in the second before each run: $(awk '{sub("idle=","",$2); sub("%","",$2); print $2}' "$out/prepare.log" | sort -n | awk '{a[NR]=$1} END{printf "min %s%%, median %s%%, max %s%%", a[1], a[int((NR+1)/2)], a[NR]}')" >>"$versions"
cat "$versions"
echo
column -t -s $'\t' "$results"
echo
echo "results in $out (results.tsv, versions.txt$( [[ -f $out/hyperfine.json ]] && echo ', hyperfine.json, hyperfine.md'))"
