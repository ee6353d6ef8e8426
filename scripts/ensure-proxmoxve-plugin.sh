#!/usr/bin/env bash
# Make the upstream provider plugin pulumi-resource-proxmoxve v$VERSION available to the engine.
#
# Already installed (in $PULUMI_HOME/plugins) → nothing to do. With internet, `pulumi plugin
# install` fetches the release from GitHub. Offline that fails, and the plugin is built from
# ../shared/vendor (scripts/build-proxmoxve-plugin.sh) and installed from the file.
# Fails loudly: the site stack's PVE side needs it.
set -euo pipefail
VERSION="${TAPPAAS_PROXMOXVE_VERSION:-8.3.0}"
PULUMI="${1:-pulumi}"
say() { printf '[proxmoxve] %s\n' "$*" >&2; }

if PULUMI_SKIP_UPDATE_CHECK=true "$PULUMI" plugin ls 2>/dev/null | grep -Eq "^proxmoxve +resource +$VERSION "; then
  say "plugin v$VERSION installed"; exit 0
fi
if PULUMI_SKIP_UPDATE_CHECK=true timeout 60 "$PULUMI" plugin install resource proxmoxve "v$VERSION" >/dev/null 2>&1; then
  say "plugin v$VERSION installed from its GitHub release"; exit 0
fi
say "no release download (offline?): building v$VERSION from ../shared/vendor"
exec "$(dirname "$0")/build-proxmoxve-plugin.sh" "$PULUMI"
