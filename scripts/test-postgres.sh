#!/usr/bin/env bash
# Runs the test suite (or the test files given) on a throwaway PostgreSQL cluster, removed afterwards:
# every file that runs a server or a store; the store-free ones (test/store-free.ts) ran on SQLite's run.
# Each server under test gets a database or a schema of its own, so files run side by side.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TIX_PG_STATE="$(mktemp -u "${TMPDIR:-/tmp}/tix-pg-state.XXXXXX")"
export TIX_PG_STATE
url="$("$root/scripts/postgres.sh" start)"
trap '"$root/scripts/postgres.sh" stop' EXIT
cd "$root"
TIX_TEST_DATABASE_URL="$url" npx vitest run "$@"
