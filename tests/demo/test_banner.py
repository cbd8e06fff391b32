"""`make demo`'s banner: every address on the ports the demo runs on, the mailbox, the logins,
and whether the month of dossiers is still loading."""

from io import StringIO

import pytest
from django.core.management import call_command

from egov.demo.banner import banner, login_lines
from egov.demo.seed import DEMO_CLIENTS, DEMO_LOGINS, DEMO_PASSWORD
from tests.dossiers.conftest import counter_dossier  # noqa: F401 - a fixture used below

SITE, SIMS = "http://127.0.0.1:8300", "http://127.0.0.1:8301/"


def test_the_banner_names_every_part_on_its_own_port():
    text = banner(site=SITE, sims=SIMS, filling=False)
    assert "MotCua chạy tại http://127.0.0.1:8300/" in text
    for path in ("/dang-nhap/vneid/", "/dang-nhap/", "/quan-tri/", "/can-bo/lien-thong/"):
        assert f"{SITE}{path}" in text
    assert "Hộp thư demo (thư điện tử đã gửi): http://127.0.0.1:8301/mail/" in text
    assert "http://127.0.0.1:8301/sms/" in text and "http://127.0.0.1:8301/zalo/" in text
    assert ":8000" not in text and ":8100" not in text and "//mail" not in text
    assert text.rstrip().endswith("Nhấn Ctrl+C để dừng.")
    assert "đang được nạp nền" not in text


def test_the_banner_has_every_login_and_says_when_the_month_is_still_loading():
    text = banner(site=SITE, sims=SIMS, filling=True)
    assert f"mật khẩu chung: {DEMO_PASSWORD}" in text
    for login in DEMO_LOGINS:
        assert f"  {login.username:<22} {login.what}" in text
    for client in DEMO_CLIENTS:
        assert f"{client.client_id:<12} / {client.secret}" in text
    assert "Hồ sơ mẫu của 30 ngày qua đang được nạp nền" in text
    assert "“Đã nạp xong hồ sơ mẫu”" in text
    assert login_lines()[0] == f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):"


@pytest.mark.django_db
@pytest.mark.usefixtures("counter_dossier")
def test_the_command_says_the_month_is_loading_only_on_a_database_without_dossiers():
    out = StringIO()
    call_command("demo_banner", site=SITE, sims=SIMS, stdout=out)
    assert "MotCua chạy tại http://127.0.0.1:8300/" in out.getvalue()
    assert "đang được nạp nền" not in out.getvalue()  # a second run of the demo


@pytest.mark.django_db
def test_the_command_on_a_fresh_database_says_the_month_is_loading():
    out = StringIO()
    call_command("demo_banner", site=SITE, sims=SIMS, stdout=out)
    assert "đang được nạp nền" in out.getvalue()
