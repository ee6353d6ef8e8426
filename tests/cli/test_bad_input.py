"""Every command, fed what a user may type wrong: the contract's exit code and a clear answer.

One row per bad input: ``(command line, exit code, a fragment of the message)``. Each row
runs ``tappaas`` in a fresh process (the console entry point, so the exit-code contract of
``tappaas.cli.errors.run`` is what is tested) in a scratch folder, never in the checkout.
No row may print a traceback or leave a crash file: 3 (an internal error) is never the
answer to something a user can type. Commands added later add their rows here.

Exit codes: 0 ok; 1 blocking findings or a failed operation; 2 invalid input or usage; for
the monitoring commands (``status``, ``drill``) 3 (UNKNOWN) for invalid input or usage.
Placeholders in command lines: ``{name}`` is a file of ``FILES`` (or ``{tmp}``, the folder).
"""

from __future__ import annotations

import base64
import codecs
import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.adopt.upstream_site import configuration
from tests.conftest import REPO
from tests.model.sites import small_site

PROD = (REPO / "Pulumi.prod.yaml").read_text(encoding="utf-8")
CLOUD = (REPO / "Pulumi.cloud.yaml").read_text(encoding="utf-8")
GCP = "      provider: gcp "


def _site_text(site: dict[str, object]) -> str:
    return yaml.safe_dump({"config": {"tappaas:site": site}}, sort_keys=False)


def _blocking() -> str:
    site = small_site()
    del site["remote"]
    return _site_text(site)


def _invalid() -> str:
    site = small_site()
    site["services"]["web"]["importance"] = "urgent"
    return _site_text(site)


def _edited(old: str, new: str) -> bytes:
    """The prod example with one edit."""
    assert old in PROD
    return PROD.replace(old, new, 1).encode()


VMID, RATE, PBS = "        vmid: 110\n", '          schedule: "*/5"\n', "    backup:\n      pbs:"


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


FILES: dict[str, bytes] = {
    "project/Pulumi.yaml": (REPO / "Pulumi.yaml").read_bytes(),
    "project/Pulumi.prod.yaml": PROD.encode(),
    "monitored/Pulumi.yaml": (REPO / "Pulumi.yaml").read_bytes(),
    "monitored/Pulumi.prod.yaml": PROD.encode(),
    "monitored/Pulumi.invalid.yaml": _invalid().encode(),
    "monitored/Pulumi.single.yaml": (REPO / "Pulumi.single.yaml").read_bytes(),
    "prod.yaml": PROD.encode(),
    "single.yaml": (REPO / "Pulumi.single.yaml").read_bytes(),
    "peer.yaml": (REPO / "Pulumi.peer.yaml").read_bytes(),
    "duplicate-key.yaml": _edited(VMID, VMID + "        vmid: 111\n"),
    "second-services.yaml": _edited(PBS, "    services: {}\n" + PBS),
    "latin1.yaml": PROD.replace("OPNsense firewall", "Pare-feu réseau").encode("latin-1"),
    "utf16.yaml": PROD.encode("utf-16"),
    "binary.yaml": b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
    "deep.yaml": ("config: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
    "alias-bomb.yaml": _bomb().encode(),
    "infinite-rate.yaml": _edited(RATE, RATE + "          rate_limit_mbps: .inf\n"),
    "nan-vmid.yaml": _edited(VMID, "        vmid: .nan\n"),
    "invalid.yaml": _invalid().encode(),
    "invalid-project/Pulumi.yaml": (REPO / "Pulumi.yaml").read_bytes(),
    "invalid-project/Pulumi.prod.yaml": _invalid().encode(),
    "upstream/configuration.json": json.dumps(configuration()).encode(),
    "upstream/wiki.json": json.dumps(
        {"vmname": "wiki", "vmid": 400, "dependsOn": ["cluster:vm"]}
    ).encode(),
    "broken.yaml": b"config: [unclosed\n",
    "no-site.yaml": b"config:\n  proxmoxve:endpoint: https://x\n",
    "blocking.yaml": _blocking().encode(),
    "bom.yaml": codecs.BOM_UTF8 + PROD.encode(),
    "cloud/Pulumi.yaml": (REPO / "Pulumi.yaml").read_bytes(),
    "cloud/Pulumi.cloud.yaml": CLOUD.encode(),
    "cloud/Pulumi.prod.yaml": PROD.encode(),
    "cloud/Pulumi.hetzner.yaml": CLOUD.replace(GCP, "      provider: hetzner ", 1).encode(),
    "cloud/Pulumi.latin1.yaml": CLOUD.replace("GCP", "Google Cloud réseau", 1).encode("latin-1"),
    "peer-project/Pulumi.yaml": (REPO / "Pulumi.yaml").read_bytes(),
    "peer-project/Pulumi.buddy.yaml": (REPO / "Pulumi.peer.yaml").read_bytes(),
    "peer-project/Pulumi.invalid.yaml": _invalid().encode(),
    "garbage-lab.json": b"not json",
    "dead-lab.json": json.dumps({
        "pid": 2**22 + 12345, "control_token": "x", "notes": [],
        "endpoints": [{"name": "pve", "product": "pve", "host": "127.0.0.1", "port": 9,
                       "fingerprint": ":".join(["AB"] * 32), "root_userid": "root@pam",
                       "root_password": "x", "token_id": "a@pam!b", "token_secret": "c"}],
    }).encode(),
}  # fmt: skip


KEY = "tappaas-key-v1:" + base64.b64encode(bytes(range(32))).decode()
"""Shaped like ``tappaas peer key`` output (any 32 bytes are an X25519 public key)."""
SEALED = "tappaas-invite-v1:" + base64.b64encode(bytes(range(64))).decode()
"""Shaped like ``tappaas peer invite`` output (opening it needs the stack's private key)."""
NO_PASSPHRASE = (("PULUMI_CONFIG_PASSPHRASE", None), ("PULUMI_CONFIG_PASSPHRASE_FILE", None))


@dataclass(frozen=True)
class BadInput:
    """A command line, the exit code it must give, and a fragment its message must hold."""

    line: str
    code: int
    says: str
    env: tuple[tuple[str, str | None], ...] = ()


CASES: list[BadInput] = [
    # the root
    BadInput("", 2, "Usage: tappaas"),
    BadInput("--bogus", 2, "No such option: --bogus"),
    BadInput("chekc prod", 2, "Did you mean 'check'?"),
    # check: which stack
    BadInput("check", 2, "give one stack: a name (tappaas check prod), --stack NAME or --file"),
    BadInput("check prod --file {prod.yaml}", 2, "give one stack"),
    BadInput("check nope", 2, "no stack file"),
    BadInput("check --stack nope", 2, "no stack file"),
    BadInput("check --file {tmp}/missing.yaml", 2, "no stack file"),
    BadInput("check --json", 2, "give one stack"),
    BadInput("check --bogus prod", 2, "No such option: --bogus"),
    # check: a stack file read as Pulumi reads it
    BadInput("check {duplicate-key.yaml}", 2, "services.firewall.vmid: given twice in one mapping"),
    BadInput("check {second-services.yaml}", 2, "services: given twice in one mapping, at line"),
    BadInput("check {latin1.yaml}", 2, "is not UTF-8: byte 0xE9 at line"),
    BadInput("check {utf16.yaml}", 2, "the file is UTF-16 (as some Windows editors save it)"),
    BadInput("check {binary.yaml}", 2, "contains binary data (a NUL byte at line 1"),
    BadInput("check {deep.yaml}", 2, "nested too deep"),
    BadInput("check {alias-bomb.yaml}", 2, "expands to more than"),
    BadInput(
        "check {infinite-rate.yaml}", 2,
        "services.vaultwarden.replication.rate_limit_mbps: Input should be a finite number",
    ),
    BadInput("check {nan-vmid.yaml}", 2, "services.firewall.vmid: Input should be a finite number"),
    BadInput("check {broken.yaml}", 2, "YAML syntax error at line 2, column 1"),
    BadInput("check {no-site.yaml}", 2, "has no mapping under config: tappaas:site"),
    BadInput("check {invalid.yaml}", 2, "services.web.importance: Input should be 'high' or 'low'"),
    BadInput("check --json {invalid.yaml}", 2, '"valid": false'),
    BadInput("check {blocking.yaml}", 1, "(deployment blocked)"),
    BadInput("check {bom.yaml}", 0, "0 error(s)"),
    BadInput("check {cloud/Pulumi.hetzner.yaml}", 2, "'hetzner' cannot host a recovery"),
    # stack: before any engine runs
    BadInput("stack", 2, "Usage: tappaas stack"),
    BadInput("stack preview", 2, "Missing argument 'STACK'"),
    BadInput("stack previwe prod", 2, "Did you mean 'preview'?"),
    BadInput("stack preview nope", 2, "no Pulumi.yaml in"),
    BadInput("stack preview nope --dir {tmp}/project", 2, "(stacks there: prod)"),
    BadInput("stack up nope --dir {tmp}/empty", 2, "no Pulumi.yaml in"),
    BadInput(
        "stack up prod --dir {tmp}/project", 2, "export PULUMI_CONFIG_PASSPHRASE=",
        env=(("PULUMI_CONFIG_PASSPHRASE", None), ("PULUMI_CONFIG_PASSPHRASE_FILE", None)),
    ),
    BadInput("stack lab-files --lab-file {tmp}/none.json", 2, "no lab file"),
    # import: upstream files (nothing written), then the live objects (before any engine runs)
    BadInput("import", 2, "Usage: tappaas import"),
    BadInput("import tappas", 2, "Did you mean 'tappaas'?"),
    BadInput("import tappaas", 2, "Missing option '--config'"),
    BadInput("import tappaas --config {prod.yaml}", 2, "Missing option '--modules'"),
    BadInput(
        "import tappaas --config {tmp}/none.json --modules {tmp}/empty", 2,
        "none.json: (file): cannot read",
    ),
    BadInput(
        "import tappaas --config {garbage-lab.json} --modules {tmp}/nowhere", 2,
        "garbage-lab.json: (file): not JSON",
    ),
    BadInput(
        "import tappaas --config {garbage-lab.json} --modules {tmp}/nowhere", 2,
        "nowhere: (file): is not a folder",
    ),
    BadInput(
        "import tappaas --config {upstream/configuration.json} --modules {tmp}/upstream "
        "--answers {broken.yaml}", 2, "broken.yaml",
    ),
    BadInput(
        "import tappaas --config {upstream/configuration.json} --modules {tmp}/upstream "
        "--dir {tmp}/project --stack prod", 2, "already holds tappaas:site: pass --replace",
    ),
    BadInput("import live", 2, "Missing argument 'STACK'"),
    BadInput("import live nope --dir {tmp}/empty", 2, "no Pulumi.yaml in"),
    BadInput("import live nope --dir {tmp}/project", 2, "(stacks there: prod)"),
    BadInput("import live prod --dir {tmp}/invalid-project", 2, "invalid site config"),
    BadInput(
        "import live prod --dir {tmp}/project", 2, "export PULUMI_CONFIG_PASSPHRASE=",
        env=(("PULUMI_CONFIG_PASSPHRASE", None), ("PULUMI_CONFIG_PASSPHRASE_FILE", None)),
    ),
    # pr-preview
    BadInput("pr-preview", 2, "Missing argument 'STACK'"),
    BadInput("pr-preview nope --dir {tmp}/project", 2, "no stack file"),
    BadInput("pr-preview {tmp} --dir {tmp}/project", 2, "no stack file"),
    # cloud: before any secret is generated or the engine runs
    BadInput("cloud", 2, "Usage: tappaas cloud"),
    BadInput("cloud credentails cloud", 2, "Did you mean 'credentials'?"),
    BadInput("cloud credentials", 2, "Missing argument 'STACK'"),
    BadInput("cloud credentials cloud", 2, "no Pulumi.yaml in"),
    BadInput("cloud credentials nope --dir {tmp}/cloud", 2, "(stacks there: cloud, hetzner"),
    BadInput("cloud credentials prod --dir {tmp}/cloud", 2, "no cloud: section"),
    BadInput(
        "cloud credentials hetzner --dir {tmp}/cloud", 2,
        "cloud.provider: 'hetzner' cannot host a recovery: Hetzner Cloud servers expose no",
    ),
    BadInput("cloud credentials latin1 --dir {tmp}/cloud", 2, "is not UTF-8: byte 0xE9 at line"),
    BadInput(
        "cloud credentials cloud --dir {tmp}/cloud", 2, "export PULUMI_CONFIG_PASSPHRASE=",
        env=NO_PASSPHRASE,
    ),
    BadInput("cloud credentials cloud --dir {tmp}/cloud --force=no", 2, "does not take a value"),
    # status and drill are monitoring commands: 0-3 = OK/WARN/CRIT/UNKNOWN, so bad usage or
    # input exits 3 (UNKNOWN), never 2, which a scheduler would read as CRITICAL
    BadInput("status", 3, "Missing option '--stack'"),
    BadInput("status --bogus", 3, "No such option: --bogus"),
    BadInput("status --stack prod --dir {tmp}/empty", 3, "no Pulumi.yaml in"),
    BadInput("status --stack nope --dir {tmp}/project", 3, "(stacks there: prod)"),
    BadInput("status --stack invalid --dir {tmp}/monitored", 3, "services.web.importance"),
    BadInput(
        "status --stack prod --dir {tmp}/monitored", 3, "export PULUMI_CONFIG_PASSPHRASE=",
        env=(("PULUMI_CONFIG_PASSPHRASE", None), ("PULUMI_CONFIG_PASSPHRASE_FILE", None)),
    ),
    BadInput(
        "status --stack prod --dir {tmp}/monitored", 3, "no stack state in",
        env=(("PULUMI_CONFIG_PASSPHRASE", "x"),),
    ),
    BadInput(
        "status --stack prod --recovery-stack nope --dir {tmp}/monitored", 3, "no stack file",
        env=(("PULUMI_CONFIG_PASSPHRASE", "x"),),
    ),
    BadInput("status --stack prod --prometheus", 3, "Option '--prometheus' requires an argument"),
    BadInput("drill", 3, "Usage: tappaas drill"),
    BadInput("drill nope", 3, "No such command 'nope'"),
    BadInput("drill --all", 3, "--stack is required"),
    BadInput("drill --stack prod --dir {tmp}/monitored", 3, "give exactly one of --service S"),
    BadInput("drill --stack prod --all --service nextcloud --dir {tmp}/monitored", 3,
             "give exactly one of"),
    BadInput("drill --stack prod --service nope --dir {tmp}/monitored", 3,
             "unknown service(s) nope"),
    BadInput("drill --stack prod --sample 0 --dir {tmp}/monitored", 3, "--sample must be at least"),
    BadInput("drill --stack prod --sample many", 3, "Invalid value for '--sample'"),
    BadInput("drill --stack prod --all --from cloud", 3, "'cloud' is not one of"),
    BadInput("drill --stack prod --all --node x --dir {tmp}/monitored", 3,
             "--node 'x' is not a declared node"),
    BadInput("drill --stack invalid --all --dir {tmp}/monitored", 3, "invalid site config"),
    BadInput("drill --stack nope --all --dir {tmp}/monitored", 3, "no stack file"),
    BadInput("drill --stack prod --report --dir {tmp}/monitored", 3, "no drills recorded yet"),
    BadInput(
        "drill --stack prod --all --dir {tmp}/monitored", 3, "no stack state in",
        env=(("PULUMI_CONFIG_PASSPHRASE", "x"),),
    ),
    BadInput("drill --stack prod internet", 3, "do not apply to 'drill internet'"),
    BadInput("drill internet", 3, "Missing option '--stack'"),
    BadInput("drill internet --bogus", 3, "No such option: --bogus"),
    BadInput("drill internet --stack nope", 3, "cannot read stack file"),
    BadInput("drill internet --stack prod --timeout 99", 3, "Invalid value for '--timeout'"),
    BadInput("drill internet --stack single --dir {tmp}/monitored", 3, "has no network section"),
    # peer: every input is checked before the engine runs (check is a monitoring command:
    # 3 is UNKNOWN, here an unreadable stack or a missing passphrase)
    BadInput("peer bogus", 2, "No such command 'bogus'"),
    BadInput("peer key", 2, "Missing option '--stack'"),
    BadInput("peer key --stack nope --dir {tmp}/project", 2, "no stack file"),
    BadInput("peer key --stack invalid --dir {tmp}/peer-project", 2, "services.web.importance"),
    BadInput(
        "peer key --stack buddy --dir {tmp}/peer-project", 2, "export PULUMI_CONFIG_PASSPHRASE=",
        env=NO_PASSPHRASE,
    ),
    BadInput("peer invite --stack prod --dir {tmp}/project", 2, "Missing option '--to'"),
    BadInput(
        "peer invite --stack prod --to abc --dir {tmp}/project", 2,
        "--to: not a tappaas public key (it must start with 'tappaas-key-v1:')",
    ),
    BadInput(
        f"peer invite --stack prod --to {KEY}%% --dir {{tmp}}/project", 2,
        "--to: a tappaas public key is damaged (not base64)",
    ),
    BadInput(
        "peer invite --stack prod --to tappaas-key-v1:AAAA --dir {tmp}/project", 2,
        "--to: the public key has the wrong length",
    ),
    BadInput(f"peer invite --stack nope --to {KEY} --dir {{tmp}}/project", 2, "no stack file"),
    BadInput(
        f"peer invite --stack prod --to {KEY} --guest home --dir {{tmp}}/project", 2,
        "--guest: stack prod keeps no copy for 'home'",
    ),
    BadInput(
        f"peer invite --stack buddy --to {KEY} --guest nobody --dir {{tmp}}/peer-project", 2,
        "keeps no copy for 'nobody' (it keeps home)",
    ),
    BadInput(
        f"peer invite --stack buddy --to {KEY} --dir {{tmp}}/peer-project", 2,
        "export PULUMI_CONFIG_PASSPHRASE=", env=NO_PASSPHRASE,
    ),
    BadInput("peer accept --stack buddy", 2, "Missing argument 'INVITATION'"),
    BadInput(
        "peer accept hello --stack buddy --dir {tmp}/peer-project", 2,
        "INVITATION: not a tappaas invitation (it must start with 'tappaas-invite-v1:')",
    ),
    BadInput(
        "peer accept tappaas-invite-v1:AAAA --stack buddy --dir {tmp}/peer-project", 2,
        "INVITATION: the invitation is cut short",
    ),
    BadInput(f"peer accept {SEALED} --stack nope --dir {{tmp}}/project", 2, "no stack file"),
    BadInput(
        f"peer accept {SEALED} --stack prod --dir {{tmp}}/project", 2,
        "stack prod has role site: only a peer",
    ),
    BadInput(
        f"peer accept {SEALED} --stack buddy --dir {{tmp}}/peer-project", 2,
        "export PULUMI_CONFIG_PASSPHRASE=", env=NO_PASSPHRASE,
    ),
    BadInput("peer check", 2, "Missing option '--stack'"),
    BadInput("peer check --stack nope --dir {tmp}/project", 3, "UNKNOWN: no stack file"),
    BadInput(
        "peer check --stack invalid --dir {tmp}/peer-project", 3, "services.web.importance"
    ),
    BadInput(
        "peer check --stack buddy --dir {tmp}/peer-project", 3,
        "UNKNOWN: stack buddy's secrets are encrypted with a passphrase", env=NO_PASSPHRASE,
    ),
    BadInput("peer anchor --stack nope --dir {tmp}/project", 2, "no stack file"),
    BadInput(
        "peer anchor --stack buddy --dir {tmp}/peer-project", 2,
        "export PULUMI_CONFIG_PASSPHRASE=", env=NO_PASSPHRASE,
    ),
    BadInput(
        "peer anchor --stack buddy --skew-minutes -5 --dir {tmp}/peer-project", 2,
        "Invalid value for '--skew-minutes'",
    ),
    # lab
    BadInput("lab", 2, "Usage: tappaas lab"),
    BadInput("lab up --start yesterday", 2, "--start 'yesterday' is not an ISO 8601 time"),
    BadInput("lab up --nodes ''", 2, "--nodes '' names no node"),
    BadInput("lab up --nodes ,,", 2, "names no node"),
    BadInput("lab up --nodes a,a", 2, "node and PBS names must be unique"),
    BadInput("lab up --clock sometimes", 2, "--clock must be one of"),
    BadInput("lab up --task-seconds -1", 2, "--task-seconds must be 0 or more"),
    BadInput("lab up --task-seconds soon", 2, "Invalid value for '--task-seconds'"),
    BadInput("lab up --schema-dir {tmp}/none", 2, "is not a directory"),
    BadInput("lab down", 2, "no lab file"),
    BadInput("lab status", 2, "no lab file"),
    BadInput("lab status --lab-file {garbage-lab.json}", 2, "is not a lab file"),
    BadInput("lab advance --days 1", 2, "no lab file"),
    BadInput("lab advance --days 1 --lab-file {dead-lab.json}", 1, "does not answer"),
    BadInput("lab scenario", 2, "Missing argument 'NAME'"),
    BadInput("lab scenario meteor", 2, "unknown scenario 'meteor'"),
    BadInput("lab scenario node-failure", 2, "--site-file: no stack file Pulumi.prod.yaml in"),
    BadInput("lab scenario node-failure --site-file {invalid.yaml}", 2, "invalid site config"),
    BadInput("lab scenario ransomware --site-file {latin1.yaml}", 2, "is not UTF-8"),
    BadInput(
        "lab scenario accidental-deletion --site-file {single.yaml} --peer-file {peer.yaml}",
        2, "it needs a peer that keeps the copy of 'cottage'",
    ),
    BadInput(
        "lab scenario node-failure --site-file {peer.yaml} --peer-file {peer.yaml}",
        2, "a site (role: site); 'buddy' has role peer",
    ),
    BadInput(
        "lab scenario prod-400-days --site-file {prod.yaml} --peer-file {single.yaml}",
        2, "a peer (role: peer) next to it; 'cottage' has role site",
    ),
    # demo (its own inputs are the lab's; usage errors here)
    BadInput("demo --bogus", 2, "No such option: --bogus"),
]  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-input")
    for name, data in FILES.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "empty").mkdir()
    return folder


def _run(case: BadInput, scratch: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    values = {name: str(scratch / name) for name in FILES} | {"tmp": str(scratch)}
    args = []
    for word in shlex.split(case.line):
        for name, value in values.items():
            word = word.replace(f"{{{name}}}", value)  # noqa: PLW2901
        args.append(word)
    crashes = Path(tempfile.mkdtemp(dir=scratch, prefix="crashes-"))
    env = {**os.environ, "TAPPAAS_CRASH_DIR": str(crashes), "COLUMNS": "80"}
    for key, setting in case.env:
        if setting is None:
            env.pop(key, None)
        else:
            env[key] = setting
    entry = "from tappaas.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", entry, *args],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done, crashes


@pytest.mark.parametrize("case", CASES, ids=[case.line or "(nothing)" for case in CASES])
def test_bad_input_gets_its_exit_code_and_a_clear_message(case: BadInput, scratch: Path) -> None:
    done, crashes = _run(case, scratch)
    said = done.stdout + done.stderr
    assert done.returncode == case.code, said
    assert case.says in said, said
    assert "Traceback" not in said and "internal error" not in said
    assert list(crashes.iterdir()) == []


def test_every_command_has_rows() -> None:
    from tappaas.cli import COMMANDS  # noqa: PLC0415

    covered = {case.line.split()[0] for case in CASES if case.line}
    assert set(COMMANDS) <= covered, set(COMMANDS) - covered
