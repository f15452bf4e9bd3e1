#!/usr/bin/env bash
# Installs the S3-protocol server that internal/files tests run against:
# Versity S3 Gateway (versitygw) with its posix backend. It installs from the
# Go module proxy like any Go tool, verifies SigV4 signatures (so our signer
# is really checked) and starts in well under a second.
# Cold build: about 2 minutes on 2 cores; a no-op when already installed.
set -euo pipefail

VERSION="${VERSITYGW_VERSION:-v1.8.0}"
BIN="$(go env GOPATH)/bin/versitygw"

# The binary has no version stamp of its own; the Go build info has one.
if [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+${VERSION}[[:space:]]"; then
	echo "versitygw ${VERSION} already installed at ${BIN}"
	exit 0
fi

# GOFLAGS may carry -mod=… from the caller's module; a tool install must not.
GOFLAGS= go install "github.com/versity/versitygw/cmd/versitygw@${VERSION}"
echo "installed versitygw ${VERSION} at ${BIN}"
