"""Scans held for a counter intake form: for their officer only, checked, limited, stale
after a day."""

import datetime
import io

import pytest

from egov.core.errors import NotAllowedError
from egov.core.files import UploadError
from egov.desk import services
from egov.desk.models import HeldScan
from egov.desk.selectors import scans_held
from tests.uploads import PDF

pytestmark = pytest.mark.django_db

TOKEN = "c" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def hold(actor, component="TP01", content=PDF, name="a.pdf", token=TOKEN):
    return services.scan_hold(
        actor=actor,
        token=token,
        procedure_code="1.001193",
        component=component,
        stream=io.BytesIO(content),
        name=name,
        size=len(content),
    )


def files(path) -> int:
    return sum(1 for item in path.rglob("*") if item.is_file())


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("C:\\Users\\an\\Giấy tờ.pdf", "Giấy tờ.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a\x00b\u200b\u202ec.pdf", "abc.pdf"),
        ("", "tep"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_display_name(given, shown):
    assert services.display_name(given) == shown
    assert len(services.display_name(given)) <= 200


def test_only_reception_officers_hold(people, media):
    with pytest.raises(NotAllowedError):
        hold(people["specialist"])
    assert files(media) == 0


def test_a_lying_file_is_not_held(people, media):
    with pytest.raises(UploadError):
        hold(people["desk"], content=b"MZ\x90", name="a.pdf")
    assert not HeldScan.objects.exists() and files(media) == 0


def test_the_bytes_are_limited_too(people, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_HELD_BYTES", len(PDF) + 1)
    hold(people["desk"])
    with pytest.raises(services.HeldScanLimitError):
        hold(people["desk"], component="TP02")
    # Replacing the held one is not more: it takes the old one's place.
    hold(people["desk"], name="b.pdf")
    assert [scan.name for scan in HeldScan.objects.all()] == ["b.pdf"]
    assert files(media) == 1


def test_each_officer_sees_their_own(people, staff, media):
    hold(people["desk"])
    other = staff("tiepnhan.xa2", "001.03.50.H01", "reception")
    assert scans_held(actor=other, token=TOKEN, procedure_code="1.001193") == {}
    assert set(scans_held(actor=people["desk"], token=TOKEN, procedure_code="1.001193")) == {"TP01"}
    assert services.scans_release(actor=other, token=TOKEN, procedure_code="1.001193") == 0
    assert HeldScan.objects.count() == 1


def test_stale_scans_are_expired(people, clock, media):
    hold(people["desk"])
    clock.now += datetime.timedelta(hours=23)
    hold(people["desk"], component="TP02")
    assert services.held_scans_expire(now=clock.now) == 0
    clock.now += datetime.timedelta(hours=2)
    assert set(scans_held(actor=people["desk"], token=TOKEN, procedure_code="1.001193")) == {"TP02"}
    assert services.held_scans_expire(now=clock.now) == 1
    assert files(media) == 1
    # An officer's own stale scans also go when they hold a new one.
    clock.now += datetime.timedelta(hours=30)
    hold(people["desk"], component="TP01", token="d" * 32)
    assert [scan.token for scan in HeldScan.objects.all()] == ["d" * 32]
    assert files(media) == 1
