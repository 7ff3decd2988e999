#!/usr/bin/env bash
# Stops every process start-registry.sh recorded in $REGISTRY_STATE_DIR/pids (default
# <repo>/.registry). Idempotent: nothing recorded or already gone is fine. A pid is only signalled
# while its command line still names the state directory, so a recycled pid is left alone.
# With --clean the files start-registry.sh made (storage, certificates, logs) are removed as well.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${REGISTRY_STATE_DIR:-$ROOT/.registry}"
[ -d "$STATE_DIR" ] || exit 0
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
PIDS_FILE="$STATE_DIR/pids"

ours() { # ours <pid>: alive and started with this state directory
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$STATE_DIR"
}

if [ -f "$PIDS_FILE" ]; then
  mapfile -t pids <"$PIDS_FILE"
  for pid in "${pids[@]}"; do
    [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    for _ in $(seq 1 50); do
      ours "$pid" || break
      sleep 0.1
    done
    if ours "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
  done
  rm -f "$PIDS_FILE"
fi

if [ "${1:-}" = "--clean" ]; then
  # only what start-registry.sh creates (a nested state directory, e.g. jest's, is left alone)
  rm -rf "${STATE_DIR:?}"/{plain,secure,token,tls,docker-config,build} \
    "$STATE_DIR"/{state.json,env,sources.yaml,fixtures.json,apt.log} "$STATE_DIR"/*-sources.yaml
  rmdir "$STATE_DIR" 2>/dev/null || true
fi
exit 0
