#!/usr/bin/env bash
# Make the Unbound binary available for the resolver tests (tests/resolver start their own
# unbound processes on loopback addresses with their own config files; none is left running).
# Installed from Debian's packages with apt-get, which needs root (CI runs as root); the
# package's system service is never started (policy-rc.d refuses it during the install) and
# is disabled afterwards, so no system-wide resolver appears at the next boot either.
# Fast when unbound is already installed; fails loudly when it cannot be installed.
set -euo pipefail
UNBOUND=/usr/sbin/unbound
if [ -x "$UNBOUND" ]; then
  echo "[setup] unbound: $("$UNBOUND" -V | head -1)" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "[setup] FAILED: unbound is not installed and installing it needs root;" \
    "run: sudo apt-get install -y --no-install-recommends unbound" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[setup] FAILED: unbound is not installed and apt-get is missing (Debian/Ubuntu only)" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  # Debian's invoke-rc.d asks policy-rc.d before starting a service; 101 = "not allowed".
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends unbound >&2
}
echo "[setup] unbound: installing Debian's package (apt-get install unbound)" >&2
if ! install; then
  echo "[setup] unbound: install failed; refreshing the package lists and retrying" >&2
  apt-get update -q >&2 || { echo "[setup] FAILED at step 'apt-get update'" >&2; exit 1; }
  install || { echo "[setup] FAILED at step 'apt-get install unbound'" >&2; exit 1; }
fi
if [ ! -x "$UNBOUND" ]; then
  echo "[setup] FAILED: apt-get reported success but $UNBOUND is missing" >&2
  exit 1
fi
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --quiet unbound.service unbound-resolvconf.service >&2 2>/dev/null ||
    echo "[setup] unbound: note: could not disable unbound.service (systemctl)" >&2
fi
echo "[setup] unbound: $("$UNBOUND" -V | head -1)" >&2
