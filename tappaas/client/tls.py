"""Certificate pinning for Proxmox endpoints (proxmoxer has no option for it).

Proxmox nodes usually serve self-signed certificates; admins know their SHA-256 fingerprint
(PVE: node → System → Certificates; PBS: Dashboard → Show Fingerprint). We mount a requests
adapter that asserts that fingerprint on every connection, so a wrong or changed certificate
fails closed, and we never turn verification off without a pin. Every connection means the
proxied ones too: with ``HTTPS_PROXY`` set, requests opens the tunnel through a separate
``ProxyManager`` (``HTTPAdapter.proxy_manager_for``) that does not share the direct pool
manager's settings, so it gets the pin as well.
"""

from __future__ import annotations

import re
from typing import Any

from requests.adapters import HTTPAdapter

FINGERPRINT_PATTERN = re.compile(r"^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$")


def normalize_fingerprint(fingerprint: str) -> str:
    """``AA:BB:…`` (as Proxmox shows it) → ``aabb…`` (as urllib3 expects it)."""
    text = fingerprint.strip()
    if not FINGERPRINT_PATTERN.match(text):
        raise ValueError(
            f"not a SHA-256 fingerprint (32 colon-separated hex pairs): {fingerprint!r}"
        )
    return text.replace(":", "").lower()


class FingerprintPinningAdapter(HTTPAdapter):
    """An HTTPS adapter that accepts exactly one certificate, by SHA-256 fingerprint."""

    def __init__(self, fingerprint: str, **kwargs: Any) -> None:
        self._fingerprint = normalize_fingerprint(fingerprint)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Direct connections."""
        kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Connections through an HTTP(S) or SOCKS proxy (the TLS session is still ours, end
        to end, inside the tunnel: the pin is checked on the server's certificate)."""
        proxy_kwargs["assert_fingerprint"] = self._fingerprint
        return super().proxy_manager_for(proxy, **proxy_kwargs)
