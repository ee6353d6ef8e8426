"""One TLS context per pinned adapter, for direct and proxied connections alike.

A context per connection would load the system's CA store every time (Proxmox closes the
connection after every error answer); the pin replaces chain verification, so one context
with verification off and the fingerprint asserted serves every pool, the proxy's too
(issue 11's pinning through ``HTTPS_PROXY``: ``test_pinning_behind_a_proxy``).
"""

from __future__ import annotations

import ssl

from tappaas.client.tls import FingerprintPinningAdapter

PIN = ":".join(["AB"] * 32)


def test_direct_and_proxied_pools_share_one_context_and_the_pin() -> None:
    adapter = FingerprintPinningAdapter(PIN)
    direct = adapter.poolmanager.connection_pool_kw
    proxied = adapter.proxy_manager_for("http://127.0.0.1:3128").connection_pool_kw
    assert direct["ssl_context"] is proxied["ssl_context"]
    assert direct["assert_fingerprint"] == proxied["assert_fingerprint"] == "ab" * 32
    context = direct["ssl_context"]
    assert context.verify_mode is ssl.CERT_NONE and not context.check_hostname
    other = FingerprintPinningAdapter(PIN).poolmanager.connection_pool_kw["ssl_context"]
    assert other is not context  # per adapter, not global
