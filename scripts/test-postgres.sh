#!/usr/bin/env bash
# Runs the server tests, the API body property test, the serve-on-PostgreSQL and multi-instance end-to-end tests (or the test files given) on a throwaway PostgreSQL cluster, removed afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TIX_PG_STATE="$(mktemp -u "${TMPDIR:-/tmp}/tix-pg-state.XXXXXX")"
export TIX_PG_STATE
url="$("$root/scripts/postgres.sh" start)"
trap '"$root/scripts/postgres.sh" stop' EXIT
cd "$root"
if [ "$#" -eq 0 ]; then set -- test/server test/property/api-bodies.test.ts test/e2e/serve-postgres.test.ts test/e2e/multi-instance.test.ts; fi
TIX_TEST_DATABASE_URL="$url" npx vitest run "$@"
