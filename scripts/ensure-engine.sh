#!/usr/bin/env bash
# Make a Pulumi engine available that can run this project with plain `pulumi up`: the CLI
# and, beside it, the Python language host. A normal install (pulumi >= 3.272 on PATH with
# pulumi-language-python beside it) wins; otherwise both are built offline into
# ~/.cache/tappaas (the CLI from the Go module proxy, the language host from ../shared/vendor).
# Prints the path of the pulumi binary on stdout (progress goes to stderr).
set -euo pipefail
MIN_MINOR=272
HERE="$(dirname "$0")"
if command -v pulumi >/dev/null 2>&1; then
  found=$(command -v pulumi)
  v=$(pulumi version 2>/dev/null | sed 's/^v//')
  minor=$(printf '%s' "$v" | cut -d. -f2)
  if [ "$(printf '%s' "$v" | cut -d. -f1)" = 3 ] && [ "${minor:-0}" -ge "$MIN_MINOR" ] 2>/dev/null \
     && [ -x "$(dirname "$(readlink -f "$found")")/pulumi-language-python" ]; then
    echo "[engine] using the installed pulumi v$v from PATH ($found), with its Python language host" >&2
    echo "$found"
    exit 0
  fi
  echo "[engine] not using pulumi '${v:-unknown}' on PATH (need >= 3.$MIN_MINOR with pulumi-language-python beside it)" >&2
fi
CACHE="${TAPPAAS_ENGINE_DIR:-$HOME/.cache/tappaas/pulumi-v${TAPPAAS_PULUMI_VERSION:-3.274.1}}"
"$HERE/build-engine.sh" "$CACHE"
"$HERE/build-language-host.sh" "$CACHE/bin"
echo "$CACHE/bin/pulumi"
