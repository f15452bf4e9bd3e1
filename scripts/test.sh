#!/usr/bin/env bash
# Runs the whole test suite: vet, unit + integration tests (real SQLite,
# real HTTP, a real S3 server for internal/files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash internal/files/testdata/install-s3-server.sh
export PATH="$(go env GOPATH)/bin:$PATH"
go vet ./...
go test -count=1 -timeout 12m ./...

# --- Short fuzz runs (issue #22, input) ------------------------------------
# Each target runs for FUZZTIME (default 5s) beyond its seed corpus in
# testdata/fuzz/ (which the plain `go test` above already replays). -fuzz
# takes one target per invocation; ~6 targets, well under a minute.
fuzztime="${FUZZTIME:-5s}"
for target in FuzzParse FuzzParseParams; do
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" ./internal/filter
done
for target in FuzzRecordBody FuzzMultipartSplit FuzzBatchBody FuzzFindRecordsByFilterParam; do
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" ./internal/api
done
# --- end of fuzz runs --------------------------------------------------------
(cd e2e && bash run.sh)
bash admin/scripts/check.sh
(cd bench && go vet ./... && go test -count=1 -timeout 5m ./...)
