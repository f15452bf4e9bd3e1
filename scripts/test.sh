#!/usr/bin/env bash
# Runs the whole test suite: vet, unit + integration tests (real SQLite,
# a real PostgreSQL, real HTTP, a real S3 server for internal/files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash internal/files/testdata/install-s3-server.sh
export PATH="$(go env GOPATH)/bin:$PATH"
# PostgreSQL (issue #26): BASALT_TEST_POSTGRES names a server, or a
# throwaway cluster is provisioned (and stopped on exit); the PostgreSQL
# tests must then run, not skip.
source scripts/postgres.sh
export BASALT_REQUIRE_POSTGRES=1
go vet ./...
# The API suite once more with every test server on PostgreSQL, alongside
# the main run: it mostly waits on the server (~4 min of wall time, well
# under one of CPU), so in sequence it would lengthen the suite for little.
api_pg_log="$(mktemp)"
BASALT_TEST_ENGINE=postgres go test -count=1 -timeout 12m ./internal/api/ >"$api_pg_log" 2>&1 &
api_pg=$!
go test -count=1 -timeout 12m ./...
if ! wait "$api_pg"; then
  cat "$api_pg_log"
  echo "FAIL: the API suite on PostgreSQL (BASALT_TEST_ENGINE=postgres)" >&2
  exit 1
fi
echo "API suite on PostgreSQL: $(tail -1 "$api_pg_log")"

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
fuzz ./internal/store/dialect/postgres FuzzIndexSQL
fuzz ./server FuzzOpenPortable
for target in FuzzRecordBody FuzzMultipartSplit FuzzBatchBody FuzzFindRecordsByFilterParam FuzzSSEEvent FuzzRuleLint FuzzRequestId; do
  fuzz ./internal/api "$target"
done
# --- end of fuzz runs --------------------------------------------------------
(cd e2e && bash run.sh)
# The SDK suite once more with every server on PostgreSQL (a schema each).
(cd e2e && BASALT_E2E_POSTGRES="$BASALT_TEST_POSTGRES" bash run.sh)
bash admin/scripts/check.sh
(cd bench && go vet ./... && go test -count=1 -timeout 5m ./...)
# The example program is its own module (examples/notes/go.mod replaces
# Basalt with this checkout): it builds from the public API only. -mod=mod:
# a dependency the product gained since examples/notes/go.mod was last
# tidied is resolved here rather than failing the run.
(cd examples/notes && GOFLAGS=-mod=mod go vet ./... && GOFLAGS=-mod=mod go test -count=1 -timeout 3m ./...)
# Differential compatibility run against a real PocketBase (issue 28).
(cd compat && go vet ./... && go test -count=1 -timeout 10m ./...)
