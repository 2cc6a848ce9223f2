#!/bin/sh
# make bench: one run with many sites against loopback servers, reporting
# wall time, peak memory and Redis round trips. Targets (2-core machine):
#   1000 HTTP + 100 certificate checks in one run  < 10 s wall
#   peak RSS                                       < 100 MiB
#   the second run (nothing due)                   < 1 s
#   wall time against curl --parallel, same URLs    <= 1.0x (HTTP and HTTPS)
#   validating a 20,000-site config                 < 1 s
# PEEKL=path benchmarks another build (e.g. an older commit's) the same way.
. scripts/lib.sh

NHTTP=${NHTTP:-1000}
NCERT=${NCERT:-100}
NREF=${NREF:-1000}		# URLs in the curl comparison
NIDLE=${NIDLE:-5000}		# sites in the nothing-due breakdown
REPS=${REPS:-5}
PEEKL=${PEEKL:-./peekl}

# each N TEMPLATE: prints TEMPLATE (with awk's escapes, \n) N times, every
# {i} replaced by 0, 1, ... N-1: the sites of a generated config.
each() {
	awk -v n="$1" -v t="$2" 'BEGIN {
		for (i = 0; i < n; i++) { s = t; gsub(/\{i\}/, i, s); printf "%s", s }
	}'
}

start_redis
start_srv web
start_srv tls --tls --dir "$WORK/tls"

{
	printf 'redis:\n  port: %s\nmax_concurrency: 100\nwebsites:\n' "$REDIS_PORT"
	each "$NHTTP" "  - url: http://127.0.0.1:$web_PORT/slow/50?n={i}\n    name: site{i}\n"
	each "$NCERT" "  - url: https://localhost:$tls_PORT/\n    name: tls{i}\n    certificate_monitoring: true\n    ca_file: $WORK/tls/ca.pem\n"
} > "$WORK/config.yaml"

# Commands Redis ran, and its read events: one per batch a client sends,
# so the latter counts round trips.
stat() { redis-cli -p "$REDIS_PORT" info stats | sed -n "s/^$1:\([0-9]*\).*/\1/p"; }

measure() {
	label=$1; shift
	cmd0=$(stat total_commands_processed); rd0=$(stat total_reads_processed)
	/usr/bin/time -f '%e %M' -o "$WORK/time" "$PEEKL" -q -c "$WORK/config.yaml" "$@" \
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

# --- side by side with curl ---------------------------------------------
# The same N URLs fetched by peekl (one run, everything due) and by
# curl --parallel with a fresh connection per URL, median of REPS each.

# secs CMD...: runs CMD, prints its wall time in seconds.
secs() {
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	awk "BEGIN{printf \"%.3f\n\", $t1 - $t0}"
}

# median: the middle of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# refconfigs SCHEME PORT: writes $WORK/ref.yaml and $WORK/ref.curl for NREF
# URLs on the server at PORT.
refconfigs() {
	scheme=$1; port=$2
	host=127.0.0.1; [ "$scheme" = https ] && host=localhost
	{
		printf 'redis:\n  port: %s\n  timeseries: off\nmax_concurrency: 100\n' "$REDIS_PORT"
		printf 'defaults:\n  ca_file: %s\nwebsites:\n' "$WORK/tls/ca.pem"
		each "$NREF" "  - url: $scheme://$host:$port/ok?n={i}\n    name: ref{i}\n"
	} > "$WORK/ref.yaml"
	{
		echo 'header = "Connection: close"'
		echo 'no-sessionid'
		echo "cacert = \"$WORK/tls/ca.pem\""
		each "$NREF" "url = \"$scheme://$host:$port/ok?n={i}\"\noutput = \"/dev/null\"\n"
	} > "$WORK/ref.curl"
}

# compare SCHEME PORT: prints peekl's and curl's median wall and the ratio.
compare() {
	refconfigs "$1" "$2"
	: > "$WORK/p"; : > "$WORK/c"
	n=0
	while [ $n -lt "$REPS" ]; do
		redis-cli -p "$REDIS_PORT" flushall >/dev/null
		secs "$PEEKL" -q -c "$WORK/ref.yaml" check >> "$WORK/p"
		secs curl -s --parallel --parallel-max 100 -K "$WORK/ref.curl" >> "$WORK/c"
		n=$((n + 1))
	done
	p=$(median < "$WORK/p"); c=$(median < "$WORK/c")
	ratio=$(awk "BEGIN{printf \"%.2f\", $p / $c}")
	printf '%-5s %d URLs: peekl %6.3f s, curl --parallel %6.3f s, peekl/curl %sx\n' \
	    "$1" "$NREF" "$p" "$c" "$ratio" >&2
	echo "$ratio"
}

ratio_http=$(compare http "$web_PORT")
ratio_https=$(compare https "$tls_PORT")

# --- where an idle run's time goes ----------------------------------------
# NIDLE sites, all checked once, then runs with nothing due: the whole run,
# loading the config alone (validate), and starting the process alone.
{
	printf 'redis:\n  port: %s\n  timeseries: off\nmax_concurrency: 100\nwebsites:\n' "$REDIS_PORT"
	each "$NIDLE" "  - url: http://127.0.0.1:$web_PORT/ok?n={i}\n    name: idle{i}\n    interval: 3600\n"
} > "$WORK/idle.yaml"
redis-cli -p "$REDIS_PORT" flushall >/dev/null
"$PEEKL" -q -c "$WORK/idle.yaml" check >/dev/null 2>&1 || true
: > "$WORK/i"; : > "$WORK/v"; : > "$WORK/s"
n=0
while [ $n -lt "$REPS" ]; do
	secs "$PEEKL" -q -c "$WORK/idle.yaml" check >> "$WORK/i"
	secs "$PEEKL" -q -c "$WORK/idle.yaml" validate >> "$WORK/v"
	secs "$PEEKL" --version >> "$WORK/s"
	n=$((n + 1))
done
idle=$(median < "$WORK/i"); load=$(median < "$WORK/v"); start=$(median < "$WORK/s")
awk "BEGIN{printf \"idle run, %d sites: %.0f ms = %.0f ms process start + %.0f ms loading the config + %.0f ms Redis, plan and queue flush\n\", \
    $NIDLE, $idle * 1000, $start * 1000, ($load - $start) * 1000, ($idle - $load) * 1000}" >&2

# --- a big config -----------------------------------------------------------
# NVALID sites, loaded and validated alone (no Redis): target < 1 s.
NVALID=${NVALID:-20000}
{
	printf 'max_concurrency: 100\nwebsites:\n'
	each "$NVALID" "  - url: https://host{i}.example.com/health?n={i}\n    name: big{i}\n    interval: 5m\n    non_acceptable_status: [404, \"500-599\"]\n"
} > "$WORK/big.yaml"
: > "$WORK/b"
n=0
while [ $n -lt "$REPS" ]; do
	secs "$PEEKL" -q -c "$WORK/big.yaml" validate >> "$WORK/b"
	n=$((n + 1))
done
"$PEEKL" -q -c "$WORK/big.yaml" validate >/dev/null 2>&1 || echo "FAIL: the $NVALID-site config does not validate"
big=$(median < "$WORK/b")
printf 'validate, %d sites: %.3f s (target < 1 s)\n' "$NVALID" "$big" >&2

fail=0
awk "BEGIN{exit !($big < 1)}" || { echo "FAIL: validating $NVALID sites took $big s (target < 1 s)"; fail=1; }
for r in $ratio_http $ratio_https; do
	awk "BEGIN{exit !($r <= 1.0)}" || { echo "FAIL: peekl/curl wall ratio $r (target <= 1.0)"; fail=1; }
done
set -- $r1
awk "BEGIN{exit !($1 < 10)}" || { echo "FAIL: first run took $1 s (target < 10 s)"; fail=1; }
awk "BEGIN{exit !($2 < 102400)}" || { echo "FAIL: peak RSS $2 KiB (target < 100 MiB)"; fail=1; }
set -- $r2
awk "BEGIN{exit !($1 < 1)}" || { echo "FAIL: idle run took $1 s (target < 1 s)"; fail=1; }
[ $fail -eq 0 ] && echo "bench: all targets met"
exit $fail
