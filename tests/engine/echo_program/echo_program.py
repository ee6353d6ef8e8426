"""The probe program: one echo resource, its outputs exported, a secret from config."""

import pulumi
from echo_provider import Echo


def main() -> None:
    config = pulumi.Config()
    echo = Echo("probe", message=config.get("message") or "hello")
    pulumi.export("message", echo.message)
    pulumi.export("token_sha256", echo.token_sha256)
    pulumi.export("token", config.require_secret("token"))
