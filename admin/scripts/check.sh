#!/usr/bin/env bash
# Admin dashboard checks: clean install, deterministic build that must match
# the committed dist/, first-screen size budget, Vitest, and the browser e2e
# (playwright-core + Debian chromium) against the real binary, with a local
# SMTP sink and a real S3 server (versitygw), the Logs and Crons screens
# (e2e/ops.mjs), the Backups screen (e2e/backups.mjs), then the XSS suite
# (e2e/xss.mjs), then the drawers suite (e2e/drawers.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
if ! git diff --exit-code --stat -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "admin/dist is stale or missing: run 'npm run build' in admin/ and commit dist/" >&2
  git status --short -- dist >&2
  exit 1
fi
node scripts/size.mjs
npx vitest run

if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium missing and not root: cannot install it" >&2
    exit 1
  fi
fi
# the S3 step runs the S3 server of the Go tests (a no-op when installed;
# scripts/test.sh has installed it before it gets here)
bash ../internal/files/testdata/install-s3-server.sh
# one binary for both browser suites
if [ -z "${BASALT_BIN:-}" ]; then
  BASALT_BIN="$(mktemp -d)/basalt"
  (cd .. && go build -o "$BASALT_BIN" .)
  export BASALT_BIN
fi
node e2e/run.mjs
# the operations screens: Logs (filter, levels, chart, drawer, settings) and Crons
node e2e/ops.mjs
# the Backups screen: create, download, upload, delete, restore (the server
# restarts), auto-backup and S3 settings
node e2e/backups.mjs
# the records browser and record editor: search, duplicate, columns, the
# unsaved-changes guard, rich text, the map picker (local tiles), files
node e2e/records.mjs
# the API preview: endpoints, rules and fields from /api/openapi.json, snippets copy, follows schema changes
node e2e/apipreview.mjs
# hostile content in every field kind: nothing may run (sanitiser + CSP)
node e2e/xss.mjs
# never lose work (every drawer's unsaved-changes guard, Escape layers),
# collection names, OAuth2 grid, forgotten password, rule highlighting
node e2e/drawers.mjs
# the Rules workbench: overview, linter and test-as-user checked against the API, plus the visual pass
node e2e/workbench.mjs
