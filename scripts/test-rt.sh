#!/usr/bin/env bash
# Runs the Request Tracker tests (test/rt, or the files given) against a throwaway RT 5 started by scripts/rt.sh
# (installed with apt where missing), stopped and removed afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TIX_RT_STATE="$(mktemp -u "${TMPDIR:-/tmp}/tix-rt-state.XXXXXX")"
export TIX_RT_STATE
trap '"$root/scripts/rt.sh" stop' EXIT
lines="$("$root/scripts/rt.sh" start)"
TIX_TEST_RT_URL="$(printf '%s\n' "$lines" | sed -n 's/^RT_URL=//p')"
TIX_TEST_RT_TOKEN="$(printf '%s\n' "$lines" | sed -n 's/^RT_TOKEN=//p')"
export TIX_TEST_RT_URL TIX_TEST_RT_TOKEN
cd "$root"
# test/rt unless files are named: options alone (a shuffle seed) still mean the RT files
named=0
for arg in "$@"; do case "$arg" in -*) ;; *) named=1 ;; esac; done
if [ "$named" -eq 0 ]; then set -- test/rt "$@"; fi
# one file at a time: RT runs 2 workers, and a bulk run keeps both busy for a while
npx vitest run --no-file-parallelism "$@"
