#!/bin/sh
# make demo: peekl doing its job against a throwaway Redis, local web sites
# (one healthy, one failing, one HTTPS with a certificate 12 days from
# expiry) and a local Slack-style webhook receiver. Touches no network
# beyond loopback.
. scripts/lib.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

start_redis
start_srv web
start_srv tls --tls --dir "$WORK/tls" --days-left 12
start_srv hook --mode webhook --log "$WORK/hook/log"

cat > "$WORK/config.yaml" <<YAML
redis:
  port: $REDIS_PORT
defaults:
  interval: 2
  timeout: 3
websites:
  - url: http://127.0.0.1:$web_PORT/
    name: shop
  - url: http://127.0.0.1:$web_PORT/status/503
    name: api
    retry: 1
    retry_interval: 1
  - url: https://localhost:$tls_PORT/
    name: secure
    certificate_monitoring: true
    ca_file: $WORK/tls/ca.pem
alertmanagers:
  slack:
    webhook: http://127.0.0.1:$hook_PORT/services/T000/B000/SECRET
YAML
chmod 600 "$WORK/config.yaml"
P="./peekl -c $WORK/config.yaml"

say "peekl validate"
$P validate
say "peekl check   (first run: api fails once, retry: 1 tolerates it; the certificate is inside cert_warning)"
$P check || echo "(exit $?)"
sleep 2
say "peekl check   (two seconds later: api fails again -> DOWN, alert queued and delivered)"
$P check || echo "(exit $?)"
say "what the Slack webhook received"
cut -f5 "$WORK/hook/log" | while read -r body; do
	printf '%s\n' "$body" | cut -c1-300
done
say "peekl status"
$P status || true
say "peekl history --site api"
$P history --site api || true
say "peekl check --json --site shop"
$P check --json --site shop || true
say "done (the webhook's secret path never appeared above: it prints as /services/***)"
