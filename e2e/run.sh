#!/usr/bin/env bash
# Runs the e2e suite: the official `pocketbase` JS SDK against the built binary.
# Installs the pinned npm dependencies only when node_modules is missing or
# does not match package-lock.json. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")"

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules/pocketbase || "$(cat node_modules/.e2e-lock-hash 2>/dev/null || true)" != "$lock_hash" ]]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.e2e-lock-hash
fi

# Per-test timeout bounds every test; the whole run stays well under 2 minutes.
exec node --test --test-concurrency=2 --test-timeout=90000 tests/
