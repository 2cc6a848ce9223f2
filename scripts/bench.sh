#!/bin/sh
# make bench: one run with many sites against loopback servers, reporting
# wall time, peak memory and Redis round trips. Targets (2-core machine):
#   1000 HTTP + 100 certificate checks in one run  < 10 s wall
#   peak RSS                                       < 100 MiB
#   the second run (nothing due)                   < 1 s
. scripts/lib.sh

NHTTP=${NHTTP:-1000}
NCERT=${NCERT:-100}

start_redis
start_srv web
start_srv tls --tls --dir "$WORK/tls"

{
	printf 'redis:\n  port: %s\nmax_concurrency: 100\nwebsites:\n' "$REDIS_PORT"
	i=0
	while [ $i -lt "$NHTTP" ]; do
		printf '  - url: http://127.0.0.1:%s/slow/50?n=%d\n    name: site%d\n' \
		    "$web_PORT" $i $i
		i=$((i + 1))
	done
	i=0
	while [ $i -lt "$NCERT" ]; do
		printf '  - url: https://localhost:%s/\n    name: tls%d\n' "$tls_PORT" $i
		printf '    certificate_monitoring: true\n    ca_file: %s\n' "$WORK/tls/ca.pem"
		i=$((i + 1))
	done
} > "$WORK/config.yaml"

# Commands Redis ran, and its read events: one per batch a client sends,
# so the latter counts round trips.
stat() { redis-cli -p "$REDIS_PORT" info stats | sed -n "s/^$1:\([0-9]*\).*/\1/p"; }

measure() {
	label=$1; shift
	cmd0=$(stat total_commands_processed); rd0=$(stat total_reads_processed)
	/usr/bin/time -f '%e %M' -o "$WORK/time" ./peekl -q -c "$WORK/config.yaml" "$@" \
	    >"$WORK/out" 2>"$WORK/err" || true
	cmd1=$(stat total_commands_processed); rd1=$(stat total_reads_processed)
	read -r secs kib < "$WORK/time"
	lines=$(wc -l < "$WORK/out")
	# The first stat call is one command and one read of its own.
	printf '%-28s %6.2f s %7d KiB peak RSS %5d lines %6d Redis commands in %3d round trips\n' \
	    "$label" "$secs" "$kib" "$lines" $((cmd1 - cmd0 - 1)) $((rd1 - rd0 - 1)) >&2
	echo "$secs $kib"
}

echo "peekl bench: $NHTTP HTTP sites (each answers after 50 ms), $NCERT certificate checks"
r1=$(measure "first run (everything due)" check)
r2=$(measure "second run (nothing due)" check)
measure "status" status >/dev/null
fail=0
set -- $r1
awk "BEGIN{exit !($1 < 10)}" || { echo "FAIL: first run took $1 s (target < 10 s)"; fail=1; }
awk "BEGIN{exit !($2 < 102400)}" || { echo "FAIL: peak RSS $2 KiB (target < 100 MiB)"; fail=1; }
set -- $r2
awk "BEGIN{exit !($1 < 1)}" || { echo "FAIL: idle run took $1 s (target < 1 s)"; fail=1; }
[ $fail -eq 0 ] && echo "bench: all targets met"
exit $fail
