#!/usr/bin/env bash
# Times `strata lint` and squawk on the same N generated PostgreSQL migration
# files (default 1000), one process each, with hyperfine when installed.
#
#   bench/lint/run.sh [-n RUNS] [-m FILES] [-o OUTDIR]
#
# environment:
#   STRATA  strata binary (default: built from this checkout; when it has no
#           lint command yet, bench/lint/lintcli, the same library calls)
#   SQUAWK  squawk binary (default: /tmp/squawk/node_modules/.bin/squawk, then
#           PATH); install it outside the repository with
#           (mkdir -p /tmp/squawk && cd /tmp/squawk && npm install squawk-cli@2.66.0)
set -euo pipefail

runs=10
count=1000
out=""
while getopts "n:m:o:h" opt; do
	case $opt in
	n) runs=$OPTARG ;;
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
squawk=${SQUAWK:-/tmp/squawk/node_modules/.bin/squawk}
if [[ ! -x $squawk ]]; then
	squawk=$(command -v squawk || true)
fi

# strata lints the directory; squawk expands the pattern itself (hyperfine
# -N runs without a shell). Both read the same 1,000 files.
cmds=("$strata $out/migrations")
names=("strata lint")
if [[ -n $squawk ]]; then
	cmds+=("$squawk --pg-version=15 $out/migrations/*.sql")
	names+=("squawk $("$squawk" --version | awk '{print $2}')")
else
	echo "squawk not found: timing strata only" >&2
fi

echo "files: $count in $out/migrations; cores: $(nproc)"
for c in "${cmds[@]}"; do
	# One untimed run each, to show both really linted every file.
	$c 2>&1 | tail -n 1 | sed "s|^|  ${c%% *}: |" || true
done
if command -v hyperfine >/dev/null; then
	args=()
	for i in "${!cmds[@]}"; do
		args+=(-n "${names[$i]}" "${cmds[$i]}")
	done
	hyperfine -N -i -w 2 -r "$runs" --export-markdown "$out/results.md" "${args[@]}"
	cat "$out/results.md"
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
