#!/usr/bin/env bash
# Build the Pulumi engine (CLI) from the Go module proxy into a cache outside the checkout.
#
# Why: the Pulumi CLI's own installers download from get.pulumi.com, which is unreachable
# offline; the Go module proxy is reachable and serves github.com/pulumi/pulumi/{pkg,sdk}/v3.
# pkg/go.mod carries replace directives, so `go install pkg@version` refuses: we build through
# a tiny wrapper module that requires pkg/v3 and sdk/v3 at the same version and repeats the
# non-local replace line.
#
# Usage: scripts/build-engine.sh [CACHE_DIR]   (default ~/.cache/tappaas/pulumi-v$VERSION)
# Idempotent: a second run with a complete cache returns at once.
set -euo pipefail

VERSION="${TAPPAAS_PULUMI_VERSION:-3.274.1}"
CACHE="${1:-${TAPPAAS_ENGINE_DIR:-$HOME/.cache/tappaas/pulumi-v$VERSION}}"
BIN="$CACHE/bin"
step() { printf '[engine] %s\n' "$*" >&2; }
fail() { printf '[engine] FAILED at step "%s": %s\n' "$1" "$2" >&2; exit 1; }

if [ -x "$BIN/pulumi" ] && [ -x "$BIN/pulumi-resource-pulumi-python" ] && [ -f "$CACHE/.complete" ]; then
  step "reusing $BIN (pulumi $("$BIN/pulumi" version 2>/dev/null))"
  exit 0
fi

command -v go >/dev/null || fail "find go" "the Go toolchain is not on PATH"
mkdir -p "$BIN" "$CACHE/src"
WRAP="$CACHE/src/wrapper"
mkdir -p "$WRAP"

step "1/4 writing wrapper module for pulumi pkg/v3 and sdk/v3 v$VERSION"
cat > "$WRAP/go.mod" <<MOD
module tappaas.local/pulumi-engine

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$VERSION
	github.com/pulumi/pulumi/sdk/v3 v$VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
cat > "$WRAP/tools.go" <<'GO'
//go:build tools

// Package tools pins the Pulumi CLI main package so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO

step "2/4 resolving modules through the Go module proxy (go mod tidy)"
(cd "$WRAP" && go mod tidy) || fail "go mod tidy" "the proxy refused a module (see the lines above)"

step "3/4 compiling the pulumi CLI (a cold build takes 10-20 minutes on 2 cores)"
(cd "$WRAP" && go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
  -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) || fail "go build pulumi" "compilation failed"

step "4/4 installing the scripts shipped in sdk/v3 (dynamic provider host, language exec)"
SDK_DIR=$(cd "$WRAP" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3) || fail "locate sdk/v3" "go list failed"
install -m 0755 "$SDK_DIR/python/dist/pulumi-resource-pulumi-python" "$BIN/pulumi-resource-pulumi-python"
install -m 0755 "$SDK_DIR/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"

"$BIN/pulumi" version >/dev/null || fail "smoke test" "the built pulumi does not run"
touch "$CACHE/.complete"
step "done: $BIN/pulumi $("$BIN/pulumi" version)"
