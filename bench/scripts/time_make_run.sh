#!/usr/bin/env bash
# Time `make run` in a checkout until /health/ready/ answers 200, then Ctrl-C it and count what is left.
# Usage: bench/scripts/time_make_run.sh <checkout dir> <port> <label>
set -u
cd "$1"
start=$(date +%s.%N)
REGISTRY_PORT=$2 setsid make run > "/tmp/makerun-$3.log" 2>&1 &
pid=$!
deadline=$((SECONDS + 300))
until curl -sf "http://127.0.0.1:$2/health/ready/" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "not ready within 300 s"; kill -INT -- -$pid; exit 1; }
  sleep 0.2
done
ready=$(date +%s.%N)
echo "ready after $(echo "$ready - $start" | bc) s"
kill -INT -- -$pid
wait $pid
echo "make exited $?"
sleep 2
echo "leftover postgres processes: $(pgrep -fc "$1/var/postgres")"
