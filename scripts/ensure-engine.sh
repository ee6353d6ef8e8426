#!/usr/bin/env bash
# Make a Pulumi engine available: a `pulumi` >= 3.272 on PATH wins (a normal install, with its
# Python language host); otherwise build one from the Go module proxy into ~/.cache/tappaas.
# Prints the path of the pulumi binary to use on stdout (progress goes to stderr).
set -euo pipefail
MIN_MINOR=272
if command -v pulumi >/dev/null 2>&1; then
  v=$(pulumi version 2>/dev/null | sed 's/^v//')
  minor=$(printf '%s' "$v" | cut -d. -f2)
  if [ "$(printf '%s' "$v" | cut -d. -f1)" = 3 ] && [ "${minor:-0}" -ge "$MIN_MINOR" ] 2>/dev/null; then
    echo "[engine] using pulumi v$v from PATH ($(command -v pulumi))" >&2
    command -v pulumi
    exit 0
  fi
  echo "[engine] ignoring pulumi '${v:-unknown}' on PATH (need >= 3.$MIN_MINOR)" >&2
fi
"$(dirname "$0")/build-engine.sh"
echo "${TAPPAAS_ENGINE_DIR:-$HOME/.cache/tappaas/pulumi-v${TAPPAAS_PULUMI_VERSION:-3.274.1}}/bin/pulumi"
