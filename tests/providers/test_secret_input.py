"""Secrets are stripped and checked where they enter, and never echoed by a failure.

Issue 18, finding 7: a token secret pasted with a trailing newline reached an HTTP header,
and the HTTP library's ``ValueError`` printed it in clear. Now the stack config value is
stripped where the provider reads it (``Credentials``) and where a client is built
(``ConnectionSettings``); a value with whitespace inside is refused with a message that
names the config key, not the value; a props model that fails to parse does not print its
inputs (a password among them).
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from lab import Lab
from providers._endpoint import Credentials, Endpoint
from providers.pbs_remote import PbsRemoteProvider
from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.model.secrets import SecretValueError
from tests.providers.harness import PROJECT, configured, endpoint, stack_config


def test_a_trailing_newline_is_stripped_and_the_token_still_works(lab: Lab) -> None:
    config = {f"{PROJECT}:localToken": lab.pbs["local"].token_secret + "\n"}
    credentials = configured(PbsRemoteProvider(), config).credentials
    assert credentials is not None
    client = credentials.client(Endpoint.model_validate(endpoint(lab.pbs["local"])))
    assert client.get("/version")["version"]


@pytest.mark.parametrize("bad", ["abc def", "abc\ndef", "\t\n", "ab\x00cd"])
def test_a_secret_that_cannot_be_a_token_is_refused_without_echoing_it(lab: Lab, bad: str) -> None:
    credentials = credentials_for({f"{PROJECT}:localToken": bad})
    with pytest.raises(SecretValueError) as refused:
        credentials.secret("localToken")
    assert "localToken" in str(refused.value)
    assert bad not in str(refused.value)

    with pytest.raises(ValidationError) as invalid:
        ConnectionSettings(
            product=Product.PBS,
            host=lab.pbs["local"].host,
            token_id=lab.pbs["local"].token_id,
            token_secret=SecretStr(bad),
        )
    assert "input_value" not in str(invalid.value)
    assert bad not in str(invalid.value)


def test_a_props_parse_error_does_not_print_the_password(lab: Lab) -> None:
    provider = configured(PbsRemoteProvider(), stack_config(lab.pbs["local"]))
    with pytest.raises(ValidationError) as invalid:
        provider.parse(
            {"endpoint": endpoint(lab.pbs["local"]), "name": "x", "password": "hunter2-secret"}
        )
    assert "hunter2-secret" not in str(invalid.value)


def test_a_client_built_from_a_pasted_secret_authenticates(lab: Lab) -> None:
    pbs = lab.pbs["local"]
    client = ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=pbs.token_id,
            token_secret=SecretStr(f"  {pbs.token_secret}\r\n"),
        )
    )
    assert client.get("/version")["version"]


def credentials_for(config: dict[str, str]) -> Credentials:
    credentials = configured(PbsRemoteProvider(), config).credentials
    assert credentials is not None
    return credentials
