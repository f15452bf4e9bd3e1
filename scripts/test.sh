#!/usr/bin/env bash
# Runs the whole test suite: vet, unit + integration tests (real SQLite,
# real HTTP, a real S3 server for internal/files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash internal/files/testdata/install-s3-server.sh
export PATH="$(go env GOPATH)/bin:$PATH"
go vet ./...
go test -count=1 -timeout 12m ./...

# --- Short fuzz runs (issue #22) -------------------------------------------
# Every fuzz target of client input runs for FUZZTIME (default 5s) beyond
# its seed corpus in testdata/fuzz/ (which the plain `go test` above already
# replays). -fuzz takes one target per invocation. The differential
# authorization fuzzers (internal/authztest) start four servers per input:
# their generated cases run in `go test` above; long -fuzz runs of them are
# documented in SECURITY.md.
fuzztime="${FUZZTIME:-5s}"
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"; }
fuzz ./core/filter FuzzParse
fuzz ./core/filter FuzzParseParams
fuzz ./core/cron FuzzParse
for target in FuzzRecordBody FuzzMultipartSplit FuzzBatchBody FuzzFindRecordsByFilterParam FuzzSSEEvent; do
  fuzz ./internal/api "$target"
done
# --- end of fuzz runs --------------------------------------------------------
(cd e2e && bash run.sh)
bash admin/scripts/check.sh
(cd bench && go vet ./... && go test -count=1 -timeout 5m ./...)
# Differential compatibility run against a real PocketBase (issue 28).
(cd compat && go vet ./... && go test -count=1 -timeout 10m ./...)
