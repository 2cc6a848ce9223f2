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

cmds() { redis-cli -p "$REDIS_PORT" info stats | sed -n 's/^total_commands_processed:\([0-9]*\).*/\1/p'; }

measure() {
	label=$1; shift
	before=$(cmds)
	/usr/bin/time -f '%e %M' -o "$WORK/time" ./peekl -q -c "$WORK/config.yaml" "$@" \
	    >"$WORK/out" 2>"$WORK/err" || true
	after=$(cmds)
	read -r secs kib < "$WORK/time"
	lines=$(wc -l < "$WORK/out")
	printf '%-34s %6.2f s  %6d KiB peak RSS  %5d result lines  %6d Redis commands\n' \
	    "$label" "$secs" "$kib" "$lines" $((after - before - 1))
	echo "$secs $kib"
}

echo "peekl bench: $NHTTP HTTP sites (each answers after 50 ms), $NCERT certificate checks"
r1=$(measure "first run (everything due)" check | tee /dev/stderr | tail -1)
r2=$(measure "second run (nothing due)" check | tee /dev/stderr | tail -1)
measure "status" status >/dev/null
fail=0
set -- $r1
awk "BEGIN{exit !($1 < 10)}" || { echo "FAIL: first run took $1 s (target < 10 s)"; fail=1; }
awk "BEGIN{exit !($2 < 102400)}" || { echo "FAIL: peak RSS $2 KiB (target < 100 MiB)"; fail=1; }
set -- $r2
awk "BEGIN{exit !($1 < 1)}" || { echo "FAIL: idle run took $1 s (target < 1 s)"; fail=1; }
[ $fail -eq 0 ] && echo "bench: all targets met"
exit $fail
