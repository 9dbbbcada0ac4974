#!/usr/bin/env bash
# Times `strata lint` and squawk on the same N generated PostgreSQL migration
# files (default 1000), one process each, with hyperfine when installed.
#
#   bench/lint/run.sh [-n RUNS] [-k ROUNDS] [-m FILES] [-o OUTDIR]
#
# environment:
#   STRATA  strata binary (default: built from this checkout; when it has no
#           lint command yet, bench/lint/lintcli, the same library calls)
#   BASELINE  another strata binary to time beside it (an older build)
#   SQUAWK  squawk binary (default: the native binary of the npm package in
#           /tmp/squawk, then its node launcher, then PATH); install it
#           outside the repository with
#           (mkdir -p /tmp/squawk && cd /tmp/squawk && npm install squawk-cli@2.66.0)
set -euo pipefail

runs=30
rounds=6
count=1000
out=""
while getopts "n:k:m:o:h" opt; do
	case $opt in
	n) runs=$OPTARG ;;
	k) rounds=$OPTARG ;;
	m) count=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${out:-$(mktemp -d /tmp/strata-bench-lint.XXXXXX)}
mkdir -p "$out/migrations"

(cd "$root" && go run ./bench/lint/gen "$out/migrations" "$count")

strata=${STRATA:-}
if [[ -z $strata ]]; then
	(cd "$root" && go build -o "$out/strata" ./cmd/strata)
	if "$out/strata" lint --help >/dev/null 2>&1; then
		strata="$out/strata lint --server-version 15"
	else
		(cd "$root" && go build -o "$out/lintcli" ./bench/lint/lintcli)
		strata="$out/lintcli -server-version 15"
		echo "note: this strata binary has no lint command yet; timing bench/lint/lintcli (same library calls)" >&2
	fi
fi
# The npm package's squawk is a node script that starts the native binary:
# time the native binary itself, so node's start-up is not counted.
squawk=${SQUAWK:-/tmp/squawk/node_modules/@squawk-cli/linux-x64/bin/squawk}
if [[ ! -x $squawk ]]; then
	squawk=/tmp/squawk/node_modules/.bin/squawk
fi
if [[ ! -x $squawk ]]; then
	squawk=$(command -v squawk || true)
fi

# strata lints the directory; squawk expands the pattern itself (hyperfine
# -N runs without a shell). Both read the same 1,000 files.
cmds=("$strata $out/migrations")
names=("strata lint")
if [[ -n ${BASELINE:-} ]]; then
	cmds+=("$BASELINE lint --server-version 15 $out/migrations")
	names+=("strata lint (baseline)")
fi
if [[ -n $squawk ]]; then
	cmds+=("$squawk --pg-version=15 $out/migrations/*.sql")
	names+=("squawk $("$squawk" --version | awk '{print $2}')")
else
	echo "squawk not found: timing strata only" >&2
fi

echo "files: $count in $out/migrations; cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cmds[@]}"; do
	# One untimed run each, to show both really linted every file.
	$c 2>&1 | tail -n 1 | sed "s|^|  ${c%% *}: |" || true
done
if command -v hyperfine >/dev/null; then
	# The machine may be shared: run the commands in interleaved rounds
	# (each round times every command a few times), so that a burst of
	# load hits all of them, and report the median over all runs.
	args=()
	for i in "${!cmds[@]}"; do
		args+=(-n "${names[$i]}" "${cmds[$i]}")
	done
	per=$(( (runs + rounds - 1) / rounds ))
	for r in $(seq "$rounds"); do
		hyperfine -N -i -w 1 -r "$per" --export-json "$out/round-$r.json" "${args[@]}" >/dev/null 2>&1
	done
	python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
times, user, system = {}, {}, {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{out}/round-{r}.json"))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
        user.setdefault(res["command"], []).extend(res["user"] if isinstance(res["user"], list) else [res["user"]])
        system.setdefault(res["command"], []).extend(res["system"] if isinstance(res["system"], list) else [res["system"]])
print("| command | runs | median | min | max | mean user+sys CPU |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name, t in times.items():
    cpu = statistics.mean(user[name]) + statistics.mean(system[name])
    print(f"| {name} | {len(t)} | {statistics.median(t)*1000:.0f} ms | {min(t)*1000:.0f} ms | {max(t)*1000:.0f} ms | {cpu*1000:.0f} ms |")
PY
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
else
	for i in "${!cmds[@]}"; do
		best=""
		for _ in $(seq "$runs"); do
			s=$(date +%s.%N)
			${cmds[$i]} >/dev/null 2>&1 || true
			e=$(date +%s.%N)
			t=$(echo "$e - $s" | bc)
			if [[ -z $best ]] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
		done
		echo "${names[$i]}: best of $runs: ${best}s"
	done
fi
