"""The cloud-recovery graph under Pulumi mocks (the cloud plugins cannot run offline).

What is pinned: the host can run KVM guests (nested virtualization asked for), only the
admin networks get in, the data disk is protected until failback, every secret stays
secret (user-data, reader token, key), the user-data is the rendered cloud-config, and the
order: firewall → instance → API ready → source → inventory → tier 1 → tier 2 ….
"""

from __future__ import annotations

import asyncio
import base64
import copy
import gzip
import json
from typing import Any

import pulumi
import pytest
import yaml

from tappaas import program
from tappaas.components.site import CloudRecovery
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, Registered, stack_config
from tests.rental.hosts import CREDENTIALS

HOST_SECRETS = {
    "tappaas:cloudRootPassword": CREDENTIALS.root_password.get_secret_value(),
    "tappaas:cloudPveToken": CREDENTIALS.api_token.get_secret_value(),
    "tappaas:cloudTlsKey": CREDENTIALS.tls_key.get_secret_value(),
    "tappaas:cloudTlsCertificate": CREDENTIALS.tls_certificate.get_secret_value(),
    "tappaas:cloudWireguardKey": CREDENTIALS.wireguard_key.get_secret_value(),
    "tappaas:peerReaderToken": "peer-reader-secret",
    "tappaas:pbsEncryptionKey": '{"kdf": null, "data": "site-key"}',
}
PUBLIC_IP = {"gcp": "203.0.113.10", "aws": "198.51.100.20"}
GIB = 2**30


class CloudMocks(Mocks):
    """Also answer what the clouds compute: addresses, ids, the AMI lookup, the inventory."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.typ == "gcp:compute/address:Address":
            outputs["address"] = PUBLIC_IP["gcp"]
        if args.typ == "gcp:compute/disk:Disk":
            outputs["selfLink"] = f"projects/p/zones/z/disks/{args.name}"
        if args.typ == "aws:ec2/eip:Eip":
            outputs.update(publicIp=PUBLIC_IP["aws"], allocationId="eipalloc-1")
        if args.typ == "aws:ebs/volume:Volume":
            return "vol-0abc123", outputs
        if args.typ.endswith("pve:BackupInventory"):
            outputs["backups"] = {
                str(vmid): {"volid": f"tappaas-dr:backup/vm/{vmid}/x", "size": 20 * GIB, "ctime": 1}
                for vmid in (int(v) for v in args.inputs["vmids"])
            }
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        if args.token == "aws:ec2/getAmi:getAmi":
            return {"id": "ami-0debian13", "name": "debian-13-amd64-20261101-1"}
        return {}


@pytest.fixture
def recorder() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(CloudMocks(recorder), project="tappaas", stack="cloud", preview=False)
    return recorder


def _site(provider: str = "gcp", **cloud: Any) -> dict[str, Any]:
    raw = copy.deepcopy(stack_config("cloud"))
    if provider == "aws":
        raw["cloud"].update(
            provider="aws", region="eu-central-1", zone="eu-central-1a", size="m8i.2xlarge"
        )
        del raw["cloud"]["project"]
    raw["cloud"].update(cloud)
    return raw


def _configure(raw: dict[str, Any]) -> None:
    pulumi.runtime.set_all_config(
        {"tappaas:site": json.dumps(raw), **HOST_SECRETS}, list(HOST_SECRETS)
    )


def _declare(recorder: Recorder, raw: dict[str, Any]) -> CloudRecovery:
    _configure(raw)
    return CloudRecovery(
        "home",
        load_site_config(raw),
        pulumi.ResourceOptions(transformations=[recorder.transformation]),
    )


def _depends(resource: Registered) -> set[str]:
    depends_on: Any = resource.opts.depends_on or []
    return {str(dep._name) for dep in depends_on}


def _is_secret(value: Any) -> pulumi.Output[bool]:
    return pulumi.Output.from_input(
        asyncio.ensure_future(pulumi.Output.from_input(value).is_secret())
    )


def _all_true(flags: list[bool]) -> bool:
    assert flags and all(flags), flags
    return True


@pulumi.runtime.test
def test_gcp_host_runs_kvm_and_admits_the_admin_networks_only(recorder: Recorder) -> None:
    _declare(recorder, _site())
    [instance] = recorder.of_type("gcp:compute/instance:Instance")
    features = instance.props["advanced_machine_features"]
    assert features["enable_nested_virtualization"] is True
    assert instance.props["machine_type"] == "n2-standard-8"
    assert instance.props["boot_disk"]["initialize_params"]["image"] == "debian-cloud/debian-13"
    [firewall] = recorder.of_type("gcp:compute/firewall:Firewall")
    assert firewall.props["direction"] == "INGRESS"
    assert firewall.props["source_ranges"] == ["198.51.100.7/32"]
    assert firewall.props["allows"] == [{"protocol": "tcp", "ports": ["22", "8006", "443"]}]
    assert firewall.props["target_tags"] == instance.props["tags"]
    assert _depends(instance) >= {"home-admin-only"}
    [disk] = recorder.of_type("gcp:compute/disk:Disk")
    assert disk.opts.protect is True and disk.props["size"] == 500
    [provider] = recorder.of_type("pulumi:providers:gcp")
    assert (provider.props["project"], provider.props["zone"]) == ("tappaas-dr", "europe-west4-a")


@pulumi.runtime.test
def test_aws_host_asks_for_nested_virtualization_and_one_security_group(
    recorder: Recorder,
) -> None:
    _declare(recorder, _site("aws"))
    [instance] = recorder.of_type("aws:ec2/instance:Instance")
    assert instance.props["cpu_options"] == {"nested_virtualization": "enabled"}
    assert instance.props["instance_type"] == "m8i.2xlarge"
    assert instance.props["private_ip"] == "10.77.0.10"
    [group] = recorder.of_type("aws:ec2/securityGroup:SecurityGroup")
    ports = {(rule["protocol"], rule["from_port"]) for rule in group.props["ingress"]}
    assert ports == {("tcp", 22), ("tcp", 8006), ("tcp", 443)}
    assert {tuple(rule["cidr_blocks"]) for rule in group.props["ingress"]} == {("198.51.100.7/32",)}
    [volume] = recorder.of_type("aws:ebs/volume:Volume")
    assert volume.opts.protect is True and volume.props["type"] == "gp3"
    [attachment] = recorder.of_type("aws:ec2/volumeAttachment:VolumeAttachment")
    assert attachment.props["device_name"] == "/dev/sdf"


@pulumi.runtime.test
def test_aws_host_keeps_guests_from_its_metadata_and_survives_a_new_ami(
    recorder: Recorder,
) -> None:
    _declare(recorder, _site("aws", host_network="10.77.5.10/24"))
    [vpc] = recorder.of_type("aws:ec2/vpc:Vpc")
    assert vpc.props["cidr_block"] == "10.77.0.0/16"  # a network address, holding the subnet
    [instance] = recorder.of_type("aws:ec2/instance:Instance")
    assert instance.props["metadata_options"] == {
        "http_tokens": "required",
        "http_put_response_hop_limit": 1,
    }
    assert set(instance.opts.ignore_changes or []) == {"ami", "userDataBase64"}


@pulumi.runtime.test
def test_a_metal_instance_needs_no_nested_virtualization(recorder: Recorder) -> None:
    _declare(recorder, _site("aws", size="c5.metal"))
    [instance] = recorder.of_type("aws:ec2/instance:Instance")
    assert instance.props.get("cpu_options") is None


@pulumi.runtime.test
def test_the_data_disk_is_released_once_failback_is_confirmed(recorder: Recorder) -> None:
    _declare(recorder, _site(failback_confirmed=True))
    [disk] = recorder.of_type("gcp:compute/disk:Disk")
    assert not disk.opts.protect


@pulumi.runtime.test
def test_the_order_is_host_ready_source_inventory_then_tier_by_tier(recorder: Recorder) -> None:
    _declare(recorder, _site())
    ready = recorder.named("pve-api")
    assert ready.type_ == "pulumi-python:dynamic/pve:ApiReady"
    assert _depends(ready) == {"home-host", "home-admin-only"}
    assert ready.props["node"] == "tappaas-cloud" and ready.props["storage"] is None
    assert ready.props["deadline_seconds"] == 45 * 60
    endpoint = ready.props["endpoint"]
    assert endpoint["token_secret_config"] == "cloudPveToken"  # the name, never the secret
    assert endpoint["fingerprint"].startswith("5C:1F:0E")
    source = recorder.named("source")
    assert source.type_ == "pulumi-python:dynamic/pve:PbsStorage"  # PvePbsStorage, pinned
    assert _depends(source) == {"pve-api"}
    assert _depends(recorder.named("inventory")) == {"source"}
    tiers = [("firewall",), ("identity",), ("vaultwarden",), ("nextcloud",),
             ("tappaas-cicd", "hass")]  # fmt: skip
    before = {"inventory"}
    for tier in tiers:
        for name in tier:
            vm = recorder.named(name)
            assert vm.type_ == "pulumi-python:dynamic/pve:RestoredVm"
            assert _depends(vm) == before, name
            assert (vm.props["node"], vm.props["storage"]) == ("tappaas-cloud", "tappaas-data")
            assert vm.props["bridge"] == "vmbr0" and vm.props["vlan"] is None
        before = set(tier)
    assert "logging" not in {r.name for r in recorder.resources}  # low importance: later


@pulumi.runtime.test
def test_staging_waits_for_the_hosts_own_source(recorder: Recorder) -> None:
    _declare(recorder, _site(staging=True))
    assert recorder.named("pve-api").props["storage"] == "tappaas-dr"
    assert "source" not in {r.name for r in recorder.resources}
    assert _depends(recorder.named("inventory")) == {"pve-api"}


@pulumi.runtime.test
def test_every_secret_stays_secret(recorder: Recorder) -> pulumi.Output[bool]:
    _declare(recorder, _site())
    [instance] = recorder.of_type("gcp:compute/instance:Instance")
    source = recorder.named("source")
    for resource in recorder.resources:  # no secret value as a plain input anywhere
        text = str(resource.props)
        assert all(value not in text for value in HOST_SECRETS.values()), resource.name
    return pulumi.Output.all(
        _is_secret(instance.props["metadata"]["user-data"]),
        _is_secret(source.props["password"]),
        _is_secret(source.props["key"]),
    ).apply(_all_true)


@pulumi.runtime.test
def test_the_user_data_is_the_rendered_cloud_config(recorder: Recorder) -> pulumi.Output[bool]:
    _declare(recorder, _site())
    [instance] = recorder.of_type("gcp:compute/instance:Instance")

    def check(text: str) -> bool:
        document = yaml.safe_load(text)
        assert text.startswith("#cloud-config\n") and document["hostname"] == "tappaas-cloud"
        paths = {entry["path"] for entry in document["write_files"]}
        assert "/etc/tappaas/wg0.conf" in paths and "/etc/tappaas/pve-token" in paths
        return True

    return pulumi.Output.from_input(instance.props["metadata"]["user-data"]).apply(check)


@pulumi.runtime.test
def test_ec2_gets_the_user_data_gzipped_with_its_volume(recorder: Recorder) -> pulumi.Output[bool]:
    _declare(recorder, _site("aws"))
    [instance] = recorder.of_type("aws:ec2/instance:Instance")

    def check(encoded: str) -> bool:
        text = gzip.decompress(base64.b64decode(encoded)).decode()
        assert len(encoded) < 16 * 1024  # EC2's user-data limit
        assert "nvme-Amazon_Elastic_Block_Store_vol0abc123" in text
        return bool(yaml.safe_load(text)["hostname"] == "tappaas-cloud")

    return pulumi.Output.from_input(instance.props["user_data_base64"]).apply(check)


@pulumi.runtime.test
def test_an_existing_host_is_only_waited_for_and_restored_onto(recorder: Recorder) -> None:
    raw = _site()
    raw["cloud"] = {
        "provider": "existing",
        "address": "203.0.113.30:8006",
        "node": "pve-rented",
        "fingerprint": raw["cloud"]["fingerprint"],
        "peer_uplink_mbps": 50,
    }
    _declare(recorder, raw)
    assert not [r for r in recorder.resources if r.type_.startswith(("gcp:", "aws:"))]
    endpoint = recorder.named("pve-api").props["endpoint"]
    assert recorder.named("nextcloud").props["node"] == "pve-rented"
    assert endpoint["port"] == 8006


def test_the_example_stack_previews_with_its_outputs(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pulumi preview`` of Pulumi.cloud.yaml, through the program, under mocks."""
    pulumi.runtime.set_mocks(CloudMocks(recorder), project="tappaas", stack="cloud", preview=True)
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", exported.__setitem__)

    @pulumi.runtime.test
    def run() -> None:
        _configure(stack_config("cloud"))
        program.main()

    run()
    created = {type_ for type_, _ in recorder.created}
    assert "gcp:compute/instance:Instance" in created
    assert {"pve_url", "pve_fingerprint", "services", "rto_estimate", "hourly_cost",
            "wireguard_public_key", "restored", "summary"} <= set(exported)  # fmt: skip
    assert exported["hourly_cost"]["per_hour"] == round(0.39 + 500 * 0.10 / 730 + 0.005, 4)
    assert exported["pve_fingerprint"].startswith("5C:1F:0E")


def test_a_missing_secret_stops_the_program_before_anything_is_rented(recorder: Recorder) -> None:
    secrets = {k: v for k, v in HOST_SECRETS.items() if k != "tappaas:pbsEncryptionKey"}
    pulumi.runtime.set_all_config(
        {"tappaas:site": json.dumps(stack_config("cloud")), **secrets}, list(secrets)
    )
    with pytest.raises(program.PolicyError) as stopped:
        program.main()
    assert "[secret-unset] recovery.encryption_key" in str(stopped.value)
    assert "pulumi config set --secret pbsEncryptionKey" in str(stopped.value)
    assert recorder.created == []
