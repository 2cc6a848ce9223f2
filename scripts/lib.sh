# Shared by demo.sh and bench.sh: throwaway loopback servers in a temp dir,
# all stopped on exit.
set -eu
WORK=$(mktemp -d "${TMPDIR:-/tmp}/peekl-XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# wait_file FILE: waits up to 10 s for FILE to exist.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "timed out waiting for $1" >&2; exit 1; }
		sleep 0.05
	done
}

# start_redis: sets REDIS_PORT to a redis-server on a free loopback port.
start_redis() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		REDIS_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
		redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
		    --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
		pid=$!
		i=0
		while [ $i -lt 100 ]; do
			if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
				PIDS="$PIDS $pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			i=$((i + 1)); sleep 0.05
		done
		kill "$pid" 2>/dev/null || true
	done
	echo "could not start redis-server" >&2
	exit 1
}

# start_srv NAME ARGS...: starts build/testsrv, sets NAME_PORT.
start_srv() {
	name=$1; shift
	mkdir -p "$WORK/$name"
	build/testsrv --port-file "$WORK/$name/port" "$@" &
	PIDS="$PIDS $!"
	wait_file "$WORK/$name/port"
	eval "${name}_PORT=$(cat "$WORK/$name/port")"
}
