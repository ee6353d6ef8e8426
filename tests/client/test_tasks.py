"""UPIDs parse in each product's own format."""

from datetime import UTC, datetime

import pytest

from tappaas.client import Product, Upid
from tappaas.client.tasks import systemd_unescape


def test_pve_upid() -> None:
    upid = Upid.parse(
        "UPID:tappaas1:000A1B2C:0123ABCD:6790F3A0:qmrestore:340:root@pam:", Product.PVE
    )
    assert upid.node == "tappaas1"
    assert upid.worker_type == "qmrestore"
    assert upid.worker_id == "340"
    assert upid.user == "root@pam"
    assert upid.start == datetime.fromtimestamp(0x6790F3A0, tz=UTC)
    assert upid.status_path.startswith("/nodes/tappaas1/tasks/UPID:tappaas1:")


def test_pbs_upid_with_counter_and_escaped_id() -> None:
    text = (
        "UPID:pbs1:0000051B:00007C11:00000003:65D1F0E0:syncjob:"
        "peer\\x3atanka\\x2dsite:root@pam!tappaas:"
    )
    upid = Upid.parse(text, Product.PBS)
    assert upid.node == "pbs1"
    assert upid.worker_type == "syncjob"
    assert upid.worker_id == "peer:tanka-site"
    assert upid.user == "root@pam!tappaas"
    assert upid.status_path == f"/nodes/localhost/tasks/{text}/status"


def test_proxmoxer_style_mixup_is_refused() -> None:
    pbs = "UPID:pbs1:0000051B:00007C11:00000003:65D1F0E0:garbage_collection:store1:root@pam:"
    with pytest.raises(ValueError, match="not a PVE UPID"):
        Upid.parse(pbs, Product.PVE)
    with pytest.raises(ValueError, match="not a PBS UPID"):
        Upid.parse("UPID:n:000A1B2C:0123ABCD:6790F3A0:vzdump::root@pam:", Product.PBS)


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("store1", "store1"), ("a\\x2db", "a-b"), ("ns-sub", "ns/sub"), ("x\\x3ay", "x:y")],
)
def test_systemd_unescape(escaped: str, plain: str) -> None:
    assert systemd_unescape(escaped) == plain
