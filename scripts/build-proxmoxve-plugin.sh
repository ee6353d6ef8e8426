#!/usr/bin/env bash
# Build the upstream provider plugin pulumi-resource-proxmoxve from ../shared/vendor and
# install it into $PULUMI_HOME/plugins, so the engine finds it by version (no PATH tricks).
#
# Why: its releases download from GitHub and the Go module proxy refuses its module
# (github.com/muhlba91/pulumi-proxmoxve/provider) and three modules its bridge imports, so those
# sources are vendored (../shared/vendor/SOURCES.md); everything else comes from the proxy.
# The bridge calls pulumi-java's GenerateProgram only when rendering Java examples for a
# schema, never at run time: a local stand-in module with that one function (returning an
# error) satisfies the build. The binary is cached in ~/.cache/tappaas keyed by the
# tarballs' sha256, so other checkouts and CI reuse it.
#
# Usage: scripts/build-proxmoxve-plugin.sh PULUMI   (the pulumi binary used to install it)
set -euo pipefail
PULUMI="${1:?usage: build-proxmoxve-plugin.sh PULUMI}"
PLUGIN_VERSION="${TAPPAAS_PROXMOXVE_VERSION:-8.3.0}"
VENDOR="${TAPPAAS_VENDOR_DIR:-$(cd "$(dirname "$0")/.." && pwd)/../shared/vendor}"
step() { printf '[proxmoxve] %s\n' "$*" >&2; }
fail() { printf '[proxmoxve] FAILED at step "%s": %s\n' "$1" "$2" >&2; exit 1; }

declare -A SHA=(
  [pulumi-proxmoxve-provider-v8.3.0.tar.gz]=532d2ef5e382a63b903307ad40431cdc734f9ce30e9a4c3b53761cb06feee482
  [pulumi-yaml-v1.36.0.tar.gz]=9af1bb968b59898a3267056bbcb717957ab62c633ae0e275e25f0a0aa501f990
  [pulumi-language-dotnet-v3.107.1.tar.gz]=c382c7e54afd7d0e92ddce7802cf28f29aa19e221bd2974584a714e97a0e67f2
)
KEY=$(printf '%s\n' "${SHA[@]}" | sort | sha256sum | cut -c1-12)
CACHE="${TAPPAAS_CACHE_DIR:-$HOME/.cache/tappaas}/proxmoxve-v$PLUGIN_VERSION-$KEY"
BINARY="$CACHE/pulumi-resource-proxmoxve"

installed() {
  PULUMI_SKIP_UPDATE_CHECK=true "$PULUMI" plugin ls 2>/dev/null | grep -Eq "^proxmoxve +resource +$PLUGIN_VERSION "
}

if [ ! -x "$BINARY" ]; then
  for tarball in "${!SHA[@]}"; do
    [ -f "$VENDOR/$tarball" ] || fail "find vendored source" "$VENDOR/$tarball is missing (see ../shared/vendor/SOURCES.md)"
    actual=$(sha256sum "$VENDOR/$tarball" | cut -d' ' -f1)
    [ "$actual" = "${SHA[$tarball]}" ] || fail "verify checksum" "$tarball has sha256 $actual, expected ${SHA[$tarball]}"
  done
  WORK="$CACHE/src"
  rm -rf "$WORK" && mkdir -p "$WORK/yaml" "$WORK/dotnet" "$WORK/java/pkg/codegen/java"
  step "1/4 unpacking the provider, pulumi-yaml and pulumi-language-dotnet sources"
  tar -xzf "$VENDOR/pulumi-proxmoxve-provider-v8.3.0.tar.gz" -C "$WORK" || fail "unpack" "provider"
  tar -xzf "$VENDOR/pulumi-yaml-v1.36.0.tar.gz" -C "$WORK/yaml" || fail "unpack" "pulumi-yaml"
  tar -xzf "$VENDOR/pulumi-language-dotnet-v3.107.1.tar.gz" -C "$WORK/dotnet" || fail "unpack" "pulumi-language-dotnet"
  step "2/4 writing the pulumi-java stand-in (GenerateProgram is used only for schema examples)"
  cat > "$WORK/java/go.mod" <<'MOD'
module github.com/pulumi/pulumi-java

go 1.26

require (
	github.com/hashicorp/hcl/v2 v2.24.0
	github.com/pulumi/pulumi/pkg/v3 v3.246.0
)
MOD
  cat > "$WORK/java/pkg/codegen/java/gen_program.go" <<'GO'
// Package java stands in for pulumi-java's code generator, which the bridge links only to
// render Java examples when a provider schema is generated; it is never called at run time.
package java

import (
	"errors"

	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
)

// GenerateProgram is not available in this build.
func GenerateProgram(program *pcl.Program) (map[string][]byte, hcl.Diagnostics, error) {
	return nil, nil, errors.New("java program generation is not part of this build")
}
GO
  PROVIDER="$WORK/provider"
  (cd "$PROVIDER" && go mod edit \
    -replace "github.com/pulumi/pulumi-java=$WORK/java" \
    -replace "github.com/pulumi/pulumi-yaml=$WORK/yaml" \
    -replace "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=$WORK/dotnet/pulumi-language-dotnet") \
    || fail "go mod edit" "could not add the replaces"
  step "3/4 go generate (stamps v$PLUGIN_VERSION into the embedded schema; downloads modules through the proxy)"
  (cd "$PROVIDER" && GOFLAGS=-mod=mod VERSION="$PLUGIN_VERSION" go generate ./cmd/pulumi-resource-proxmoxve) \
    || fail "go generate" "see the lines above"
  step "4/4 compiling (about 4 minutes cold on 2 cores, 1.4 GB peak memory)"
  (cd "$PROVIDER" && go build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/muhlba91/pulumi-proxmoxve/provider/pkg/version.Version=$PLUGIN_VERSION" \
    -o "$BINARY" ./cmd/pulumi-resource-proxmoxve) || fail "go build" "compilation failed"
  rm -rf "$WORK"
else
  step "reusing $BINARY"
fi

if installed; then
  step "plugin proxmoxve v$PLUGIN_VERSION installed"
  exit 0
fi
PULUMI_SKIP_UPDATE_CHECK=true "$PULUMI" plugin install resource proxmoxve "$PLUGIN_VERSION" --file "$BINARY" >&2 \
  || fail "pulumi plugin install" "could not install $BINARY"
installed || fail "verify install" "pulumi plugin ls does not list proxmoxve $PLUGIN_VERSION"
step "plugin proxmoxve v$PLUGIN_VERSION installed from $BINARY"
