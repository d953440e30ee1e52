#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a temporary folder, for tests and trials:
#   scripts/postgres.sh start   creates and starts it, prints its postgres:// URL
#   scripts/postgres.sh url     prints the URL of the running one
#   scripts/postgres.sh stop    stops it and removes its folder
# The cluster runs as an unprivileged user (postgres refuses root), listens on 127.0.0.1 only,
# trusts local connections and skips fsync: it holds nothing worth keeping.
# TIX_PG_STATE names the file that remembers the running cluster (default: .postgres-cluster at the repo root).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="${TIX_PG_STATE:-$root/.postgres-cluster}"
run_user="${TIX_PG_USER:-nobody}"

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
  return 1
}

as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$run_user" -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  if [ -f "$state" ]; then
    echo "a cluster is already running (see $state); stop it first" >&2
    exit 1
  fi
  local bin
  if ! bin="$(find_bin)"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      bin="$(find_bin)"
    else
      echo "PostgreSQL's initdb and pg_ctl are not installed" >&2
      exit 1
    fi
  fi
  local dir port
  # run as root, the cluster belongs to another user, who must be able to reach its folder: a TMPDIR
  # private to root (a test run's own) would not do, so it goes under /tmp itself
  local base="${TMPDIR:-/tmp}"
  if [ "$(id -u)" = 0 ]; then base=/tmp; fi
  dir="$(mktemp -d "$base/tix-pg.XXXXXX")"
  port="$(free_port)"
  if [ "$(id -u)" = 0 ]; then chown "$run_user" "$dir" || { rm -rf "$dir"; exit 1; }; fi
  chmod 700 "$dir"
  as_user "$bin/initdb" -D "$dir/data" -U tix --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  }
  as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || {
    cat "$dir/server.log" >&2
    rm -rf "$dir"
    exit 1
  }
  local url="postgres://tix@127.0.0.1:$port/postgres"
  printf '%s\n%s\n%s\n' "$bin" "$dir" "$url" >"$state"
  echo "$url"
}

url() {
  [ -f "$state" ] || { echo "no cluster is running" >&2; exit 1; }
  sed -n 3p "$state"
}

stop() {
  [ -f "$state" ] || { echo "no cluster is running" >&2; exit 0; }
  local bin dir
  bin="$(sed -n 1p "$state")"
  dir="$(sed -n 2p "$state")"
  as_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
