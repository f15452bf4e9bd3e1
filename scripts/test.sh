#!/usr/bin/env bash
# Runs the whole test suite: vet, unit + integration tests (real SQLite,
# real HTTP, a real S3 server for internal/files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash internal/files/testdata/install-s3-server.sh
export PATH="$(go env GOPATH)/bin:$PATH"
go vet ./...
go test -count=1 -timeout 12m ./...
(cd e2e && bash run.sh)
bash admin/scripts/check.sh
(cd bench && go vet ./... && go test -count=1 -timeout 5m ./...)
