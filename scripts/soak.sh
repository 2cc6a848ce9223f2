#!/bin/sh
# make soak: a chaos soak of SOAK_SECONDS (default 120). Two peekl loops each
# start a run every half second, so runs overlap, against 20 loopback sites
# that flip between up and down every 3-10 s; the webhook receiver fails at
# random (500, 429 with Retry-After, a hang, the connection closed without an
# answer); redis-server (appendonly yes) is killed with SIGKILL and restarted
# every ~20 s; peekl runs are sent SIGTERM or SIGKILL mid-run. Then
# the faults stop and the loops run until the queue is empty, and
# scripts/soak.py checks: crashes, alerts delivered twice, per site an
# alternating DOWN/UP sequence, each site's last alert against its final
# state, and `peekl status` against reality.
#
# Legitimately ambiguous, counted apart and not failed: an alert delivered
# again after a kill right after its 2xx (peekl killed before it removed the
# entry, or Redis killed before that removal reached its log), the duplicate
# at-least-once delivery allows. Redis runs with appendfsync always, so a
# SIGKILL loses nothing it acknowledged; with everysec the last second of
# writes could be lost, which the README's guarantees describe.
. scripts/lib.sh
# Failures are the point here (killed processes, runs that exit 3): each
# is looked at, not a reason to stop.
set +e

SOAK_SECONDS=${SOAK_SECONDS:-120}
PEEKL=${PEEKL:-./peekl}
NSITES=20
: > "$WORK/events"; : > "$WORK/runs"; : > "$WORK/hook.log"; : > "$WORK/flips"
mkdir -p "$WORK/redis"

# rand N: a random number in 0..N-1.
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
now() { date +%s.%N; }

REDIS_PORT=$(( 20000 + $(rand 30000) ))
# redis_up: starts redis-server on REDIS_PORT with its AOF in $WORK/redis.
redis_up() {
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly yes --appendfsync always --dir "$WORK/redis" \
	    --logfile "$WORK/redis.log" &
	echo $! > "$WORK/redis.pid"
	i=0
	until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "soak: redis-server did not start" >&2; exit 1; }
		sleep 0.05
	done
}
redis_up

python3 scripts/soak.py serve "$WORK" $NSITES &
PIDS="$PIDS $!"
wait_file "$WORK/sites.port"
wait_file "$WORK/hook.port"
SP=$(cat "$WORK/sites.port"); HP=$(cat "$WORK/hook.port")
{
	printf 'redis:\n  port: %s\n  timeseries: off\nmax_concurrency: 50\n' "$REDIS_PORT"
	printf 'defaults:\n  interval: 1\n  retry: 0\n  timeout: 2\nwebsites:\n'
	i=0
	while [ $i -lt $NSITES ]; do
		printf '  - url: http://127.0.0.1:%s/site/%d\n    name: s%d\n' "$SP" $i $i
		i=$((i + 1))
	done
	printf 'alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%s/hook\n    timeout: 2\n' "$HP"
} > "$WORK/config.yaml"
chmod 600 "$WORK/config.yaml"

# one_run: one peekl run; in the chaos phase one in four is sent a signal
# (most runs have nothing due and end before it comes).
one_run() {
	"$PEEKL" -q -c "$WORK/config.yaml" check >/dev/null 2>>"$WORK/peekl.err" &
	pid=$!
	sig=-
	if [ ! -e "$WORK/calm" ] && [ "$(rand 4)" -eq 0 ]; then
		# A run with checks due lasts up to ~300 ms: kill within that.
		sleep "0.$(rand 3)$(rand 10)"
		if [ "$(rand 2)" -eq 0 ]; then sig=TERM; else sig=KILL; fi
		kill -s $sig $pid 2>/dev/null && echo "$(now) peekl-$sig" >> "$WORK/events"
	fi
	wait $pid
	echo "$? $sig" >> "$WORK/runs"
}

# loop: starts a run every half second until $WORK/stop exists.
loop() {
	while [ ! -e "$WORK/stop" ]; do
		one_run &
		sleep 0.5
	done
	wait
}

echo "soak: $SOAK_SECONDS s of chaos against $NSITES sites (redis :$REDIS_PORT)"
loop & LOOP1=$!
sleep 0.25
loop & LOOP2=$!

end=$(( $(date +%s) + SOAK_SECONDS ))
next=$(( $(date +%s) + 15 + $(rand 10) ))
while [ "$(date +%s)" -lt $end ]; do
	if [ "$(date +%s)" -ge $next ]; then
		kill -9 "$(cat "$WORK/redis.pid")" 2>/dev/null
		echo "$(now) redis-KILL" >> "$WORK/events"
		wait "$(cat "$WORK/redis.pid")" 2>/dev/null
		sleep "0.$(rand 10)"
		redis_up
		next=$(( $(date +%s) + 15 + $(rand 10) ))
	fi
	sleep 0.2
done

# Calm: sites freeze, the receiver answers 200, no more kills. Runs go on
# until the queue is empty and every site's state is its final one.
touch "$WORK/calm"
wait_file "$WORK/final"
echo "soak: faults stopped, waiting for the queue to drain"
i=0
while :; do
	sleep 1
	i=$((i + 1))
	q=$(redis-cli -p "$REDIS_PORT" llen peekl:alerts:webhook)
	"$PEEKL" -q -c "$WORK/config.yaml" status --json > "$WORK/status.json" 2>/dev/null || true
	settled=$(python3 -c '
import json, sys
final = dict(l.split() for l in open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
print(int(all(s["state"] == final[s["site"]] for s in st["sites"])))
' "$WORK/final" "$WORK/status.json" 2>/dev/null || echo 0)
	[ "$q" = 0 ] && [ "$settled" = 1 ] && break
	[ $i -lt 90 ] || { echo "soak: not settled after 90 s (queue $q)"; break; }
done
# Two more runs' worth, so a delivery in flight ends before the check.
sleep 3
touch "$WORK/stop"
wait $LOOP1 $LOOP2
"$PEEKL" -q -c "$WORK/config.yaml" status --json > "$WORK/status.json"
kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
if [ -s "$WORK/peekl.err" ] && grep -E 'AddressSanitizer|runtime error|Segmentation|Abort' "$WORK/peekl.err"; then
	echo "soak: sanitizer or crash messages in peekl's stderr"
fi
python3 scripts/soak.py check "$WORK"
