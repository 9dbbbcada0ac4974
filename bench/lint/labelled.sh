#!/usr/bin/env bash
# Runs every case of lint/testdata/labelled with `strata up --allow-unsafe`
# on its own copy of the fixture database (lint/testdata/labelled/schema.sql)
# and checks that it succeeds, or fails where the case says "-- fails: yes":
# the labelled set stays valid SQL for the schema it is labelled against.
# Then prints what `strata lint` says of each case, file alone, as exit codes.
#
#   bench/lint/labelled.sh [PGURL]   (default postgres://postgres@127.0.0.1:5432)
#
# It creates and drops the databases strata_labelled_base and
# strata_labelled_case on that server.
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
set_dir=$root/lint/testdata/labelled
work=$(mktemp -d /tmp/strata-labelled.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/strata" ./cmd/strata)

psql "$server/postgres" -qc 'DROP DATABASE IF EXISTS strata_labelled_base' -c 'CREATE DATABASE strata_labelled_base' >/dev/null
psql "$server/strata_labelled_base" -v ON_ERROR_STOP=1 -qf "$set_dir/schema.sql" >/dev/null

mismatches=0
declare -A refused=([safe]=0 [unsafe]=0) total=([safe]=0 [unsafe]=0)
for f in "$set_dir"/unsafe/*.sql "$set_dir"/safe/*.sql; do
	label=$(basename "$(dirname "$f")")
	psql "$server/postgres" -qc 'DROP DATABASE IF EXISTS strata_labelled_case' \
		-c 'CREATE DATABASE strata_labelled_case TEMPLATE strata_labelled_base' >/dev/null
	mkdir -p "$work/m" && rm -f "$work/m"/* && cp "$f" "$work/m/"
	want=0
	grep -q '^-- fails: yes' "$f" && want=1
	got=0
	"$work/strata" --database "$server/strata_labelled_case" --dir "$work/m" up --allow-unsafe >"$work/out" 2>&1 || got=1
	if [[ $want != "$got" ]]; then
		echo "MISMATCH ${f#"$root"/}: strata up $( ((got)) && echo failed || echo succeeded)"
		tail -n 3 "$work/out"
		mismatches=$((mismatches + 1))
	fi
	ver=$(sed -n 's/^-- server-version: *//p' "$f")
	rc=0
	"$work/strata" lint --server-version "${ver:-15}" "$f" >/dev/null 2>&1 || rc=$?
	total[$label]=$((total[$label] + 1))
	((rc == 3)) && refused[$label]=$((refused[$label] + 1))
done
psql "$server/postgres" -qc 'DROP DATABASE IF EXISTS strata_labelled_case' -c 'DROP DATABASE IF EXISTS strata_labelled_base' >/dev/null
echo "strata lint FILE (no database): ${refused[unsafe]}/${total[unsafe]} unsafe refused (exit 3), ${refused[safe]}/${total[safe]} safe refused"
echo "cases whose strata up outcome differs from the label: $mismatches"
((mismatches == 0))
