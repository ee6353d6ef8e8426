#!/usr/bin/env bash
# Build the Pulumi Python language host (pulumi-language-python) from ../shared/vendor and
# place it beside the pulumi binary, with its pulumi-language-python-exec.
#
# Why: `pulumi preview`/`up` in this directory start __main__.py through this host. The Go
# module proxy refuses its module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3),
# so its three source files are vendored (../shared/vendor/SOURCES.md: revision, checksum,
# licence); every dependency comes from the proxy, pinned to the engine's pkg/sdk version.
# The result is cached under ~/.cache/tappaas, keyed by the tarball's sha256 and the engine
# version: a second run returns at once.
#
# Usage: scripts/build-language-host.sh PULUMI_BIN_DIR
set -euo pipefail
BIN="${1:?usage: build-language-host.sh PULUMI_BIN_DIR}"
VERSION="${TAPPAAS_PULUMI_VERSION:-3.274.1}"
VENDOR="${TAPPAAS_VENDOR_DIR:-$(cd "$(dirname "$0")/.." && pwd)/../shared/vendor}"
TARBALL="$VENDOR/pulumi-language-python-1b5949891b3c.tar.gz"
EXPECTED_SHA=8e0378589eb14f7d04e540094ed85f48d23b25ed684f14db50127d203dd7ba92
step() { printf '[language-host] %s\n' "$*" >&2; }
fail() { printf '[language-host] FAILED at step "%s": %s\n' "$1" "$2" >&2; exit 1; }

MARK="$BIN/.pulumi-language-python-${EXPECTED_SHA:0:12}-v$VERSION"
if [ -x "$BIN/pulumi-language-python" ] && [ -x "$BIN/pulumi-language-python-exec" ] && [ -f "$MARK" ]; then
  step "reusing $BIN/pulumi-language-python"
  exit 0
fi
[ -f "$TARBALL" ] || fail "find vendored source" "$TARBALL is missing (see ../shared/vendor/SOURCES.md)"
actual=$(sha256sum "$TARBALL" | cut -d' ' -f1)
[ "$actual" = "$EXPECTED_SHA" ] || fail "verify checksum" "$TARBALL has sha256 $actual, expected $EXPECTED_SHA"
[ -x "$BIN/pulumi-language-python-exec" ] || fail "find pulumi-language-python-exec" "not in $BIN (run scripts/build-engine.sh first)"

WORK="$(dirname "$BIN")/src/language-python"
rm -rf "$WORK" && mkdir -p "$WORK"
step "1/3 unpacking $(basename "$TARBALL")"
tar -xzf "$TARBALL" -C "$WORK" || fail "unpack" "tar failed"
MOD="$WORK/sdk/python/cmd/pulumi-language-python"
step "2/3 pinning pulumi pkg/v3 and sdk/v3 to v$VERSION (go mod tidy through the module proxy)"
(cd "$MOD" && go mod edit \
  -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
  -require "github.com/pulumi/pulumi/pkg/v3@v$VERSION" -require "github.com/pulumi/pulumi/sdk/v3@v$VERSION" \
  && go mod tidy) || fail "go mod tidy" "the proxy refused a module (see the lines above)"
step "3/3 compiling (about 3 minutes cold on 2 cores)"
(cd "$MOD" && go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
  -o "$BIN/pulumi-language-python" .) || fail "go build" "compilation failed"
rm -rf "$WORK"
rm -f "$BIN"/.pulumi-language-python-*
touch "$MARK"
step "done: $BIN/pulumi-language-python"
