#!/bin/sh
# Install the Debian packages peekl's build and tests need, if any is missing.
# A no-op (one dpkg-query) when everything is present. `deps.sh fuzz`
# checks the fuzzing toolchain instead, `deps.sh soak` python3,
# `deps.sh promtool` Prometheus's promtool. tidy and chromium are for the
# status page tests (HTML errors; rendering in a headless browser).
set -eu
PKGS="build-essential pkg-config libcurl4-openssl-dev libmbedtls-dev libhiredis-dev
libyaml-dev libjansson-dev libcriterion-dev redis-server openssl ca-certificates
time valgrind zlib1g-dev tidy chromium"
# The Sentinel tests (tests/it_sentinel.c) start real redis-sentinel processes.
PKGS="$PKGS redis-sentinel"
# `make fuzz` alone needs clang and its libFuzzer runtime; `make test` does not.
[ "${1:-}" = fuzz ] && PKGS="clang libclang-rt-14-dev"
# `make soak` runs its sites and webhook receiver in python3.
[ "${1:-}" = soak ] && PKGS="python3"
# promtool, for the metrics test, comes only in Debian's prometheus package,
# which also installs and (under systemd) starts a Prometheus server on
# port 9090: asked for explicitly, never by `make deps`.
[ "${1:-}" = promtool ] && PKGS="prometheus"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "peekl: installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
