"""The operators' page of the interconnection axis: who sees it, what it shows, the replay of
a dead letter, a message's own page, the log's pages and rows."""

import datetime
import re
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from egov.interop.adapters.http import Attempt
from egov.interop.models import MessageLog, OutboxMessage, OutboxStatus
from egov.interop.services.delivery import attempt_settle
from egov.interop.services.log import Exchange, log_append
from egov.interop.services.outbox import claim_due
from egov.notifications.models import StaffNotification
from tests.conftest import PROVINCE
from tests.dossiers.conftest import act

pytestmark = pytest.mark.django_db

BUS = "/can-bo/lien-thong/"


@pytest.fixture
def operator(staff: Any) -> Any:
    return staff("quantri", PROVINCE, "province_admin")


def settle(clock: Any, system: str, attempt: Attempt) -> OutboxMessage:
    """A worker claims what is due and settles this system's message with the attempt."""
    claimed = claim_due(worker="w1", now=clock.now, limit=50)
    (message,) = [m for m in claimed if m.system == system]
    attempt_settle(message_id=message.pk, worker="w1", attempt=attempt, now=clock.now)
    message.refresh_from_db()
    return message


REFUSED = Attempt(
    outcome="rejected",
    status=400,
    code="302",
    error="HTTP 400 [302] Ngày tiếp nhận không đúng định dạng",
    duration_ms=85,
    request=b'{"MaHoSo": "x"}',
    response=b'{"error_code": "302"}',
)
TAKEN = Attempt(
    outcome="ok",
    status=200,
    code="",
    error="",
    duration_ms=140,
    request=b'{"MaHoSo": "x"}',
    response=b'{"ok": true}',
)


@pytest.fixture
def dead(counter_dossier: Any, operator: Any, clock: Any) -> OutboxMessage:
    """The national portal refused the received dossier's sync: a dead letter."""
    message = settle(clock, "dvcqg", REFUSED)
    assert message.status == OutboxStatus.DEAD
    return message


def log_entry(system: str = "dvcqg", service: str = "dvcqg.dossier.sync", **kw: Any) -> Any:
    exchange = Exchange(
        direction=kw.get("direction", "out"),
        system=system,
        service=service,
        party=kw.get("party", "motcua"),
        request=kw.get("request", b'{"q": 1}'),
        response=kw.get("response", b'{"a": 2}'),
        status=kw.get("status", 200),
        code="",
        duration_ms=kw.get("duration_ms", 100),
        outcome=kw.get("outcome", "ok"),
    )
    return log_append(exchange, at=kw["at"])


def test_the_province_administrator_sees_the_bus_and_replays_a_dead_letter(
    client, dead, operator, clock
):
    client.force_login(operator)
    page = client.get(BUS)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Trục liên thông</h1>" in html
    # The registry, with the address from the settings and the seeded systems' services.
    assert "Cổng Dịch vụ công quốc gia" in html and "Văn phòng Chính phủ" in html
    assert "http://127.0.0.1:8100/dvcqg" in html
    assert "dvcqg.dossier.sync" in html and "Tra cứu trạng thái hồ sơ" in html
    # The partner answered (a refusal proves it is up): its breaker stays closed.
    assert "Bình thường" in html
    # The dead letter, with its key, its error and the button.
    assert dead.idempotency_key in html
    assert "Ngày tiếp nhận không đúng định dạng" in html
    assert f'action="{BUS}thu-loi/{dead.pk}/gui-lai/"' in html
    assert re.search(r"<button type=\"submit\">Gửi lại", html)
    # The portal's sync failed for the one dossier it knows.
    assert "Đồng bộ lỗi" in html

    answer = client.post(reverse("interop:replay", args=[dead.pk]), follow=True)
    assert answer.redirect_chain[-1][0].endswith(f"{BUS}#thu-loi")
    assert "trở lại hàng đợi" in answer.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.replays) == ("pending", 0, 1)

    clock.now += datetime.timedelta(minutes=1)
    delivered = settle(clock, "dvcqg", TAKEN)
    assert delivered.status == OutboxStatus.DELIVERED
    html = client.get(BUS).content.decode()
    assert "Không có thư lỗi." in html
    row = MessageLog.objects.get(outbox_id=dead.pk, outcome="ok")
    assert f'href="{BUS}nhat-ky/{row.seq}/">#{row.seq}</a>' in html
    assert "Thành công" in html and "Đã đồng bộ" in html


def test_replaying_a_message_that_is_no_longer_dead_says_so(client, dead, operator):
    client.force_login(operator)
    client.post(reverse("interop:replay", args=[dead.pk]))
    answer = client.post(
        reverse("interop:replay", args=[dead.pk]), {"tro_ve": "chi-tiet"}, follow=True
    )
    assert answer.redirect_chain[-1][0].endswith(f"{BUS}thu-loi/{dead.pk}/")
    assert "Không gửi lại được" in answer.content.decode()
    assert client.post(reverse("interop:replay", args=[999999])).status_code == 404
    assert client.get(reverse("interop:replay", args=[dead.pk])).status_code == 405


def test_an_auditor_reads_but_may_not_replay(client, dead, people):
    client.force_login(people["auditor"])
    html = client.get(BUS).content.decode()
    assert dead.idempotency_key in html
    assert "chế độ chỉ đọc" in html
    assert "gui-lai" not in html and "Gửi lại" not in html
    answer = client.post(reverse("interop:replay", args=[dead.pk]))
    assert answer.status_code == 403
    assert "Không có quyền truy cập" in answer.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.replays) == ("dead", 0)
    detail = client.get(reverse("interop:dead_letter", args=[dead.pk])).content.decode()
    assert dead.idempotency_key in detail
    # The payload carries the applicant's personal data: for the operators only.
    assert "Nguyễn Thị Ánh Tuyết" not in detail and "chỉ quản trị tỉnh xem được" in detail
    assert "gui-lai" not in detail


def test_everyone_else_is_kept_out(client, dead, people, django_user_model):
    addresses = [
        BUS,
        reverse("interop:health"),
        reverse("interop:dead_letter", args=[dead.pk]),
        reverse("interop:log_row", args=[1]),
    ]
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 302 and answer["Location"].startswith("/dang-nhap/")
    client.force_login(people["desk"])
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 403
        assert "Không có quyền truy cập" in answer.content.decode()
    assert client.post(reverse("interop:replay", args=[dead.pk])).status_code == 403
    client.force_login(django_user_model.objects.create_user("congdan", password="x"))
    assert client.get(BUS).status_code == 403
    dead.refresh_from_db()
    assert dead.status == "dead"


def test_the_dead_letter_alert_leads_to_the_message_and_what_waits_behind_it(
    client, dead, operator, people, counter_dossier
):
    act(counter_dossier, "transfer", people["desk"])  # the next sync waits behind the dead one
    notice = StaffNotification.objects.get(recipient=operator)
    assert notice.link == f"{BUS}thu-loi/{dead.pk}/"
    client.force_login(operator)
    page = client.get(notice.link)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"<h1>Thông điệp {dead.idempotency_key}</h1>" in html
    assert "Gửi lỗi, cần xử lý" in html
    # The payload, pretty-printed with its Vietnamese as written.
    shown = html.replace("&quot;", '"')
    assert '"ChuHoSo": "Nguyễn Thị Ánh Tuyết"' in shown and '{\n  "' in shown
    # Its one try in the log.
    (row,) = MessageLog.objects.filter(outbox_id=dead.pk)
    assert f"#{row.seq}</a>" in html and ">400<" in html
    # The transfer's sync, same dossier, waiting.
    behind = OutboxMessage.objects.get(system="dvcqg", status="pending")
    assert behind.ordering_key == dead.ordering_key
    assert behind.idempotency_key in html
    assert f'action="{BUS}thu-loi/{dead.pk}/gui-lai/"' in html
    assert client.get(reverse("interop:dead_letter", args=[999999])).status_code == 404


def test_the_health_table_refreshes_by_itself(client, dead, operator, clock):
    log_entry(at=clock.now - datetime.timedelta(minutes=5), duration_ms=300)
    log_entry(at=clock.now - datetime.timedelta(minutes=2), duration_ms=500)
    log_entry(at=clock.now - datetime.timedelta(hours=2), duration_ms=90_000)  # too old
    client.force_login(operator)
    html = client.get(BUS).content.decode()
    assert 'hx-get="/can-bo/lien-thong/tinh-trang/"' in html and 'hx-trigger="every 10s"' in html
    partial = client.get(reverse("interop:health"), headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in text and text.startswith('<div id="bang-tinh-trang"')
    # Three calls to the portal in the last hour (the refusal's 85 ms, 300, 500): median 300.
    assert "300 <small>(3 lần gọi)</small>" in text


def test_an_open_breaker_shows_until_when(client, operator, counter_dossier, clock, settings):
    settings.MOTCUA_BREAKER_FAILURES = 1
    down = Attempt("retry", None, "", "ConnectError: connection refused", 3, b"{}", b"")
    settle(clock, "dvcqg", down)
    client.force_login(operator)
    html = client.get(reverse("interop:health")).content.decode()
    assert "Tạm ngắt (đối tác lỗi)" in html and "ConnectError: connection refused" in html
    assert "đến 08:00:15 16/11/2026" in html  # MOTCUA_BREAKER_SECONDS = 15


def test_the_outbox_backlog_and_the_unconfigured_systems(
    client, operator, counter_dossier, clock, settings
):
    settings.MOTCUA_LGSP_SYSTEMS = {**settings.MOTCUA_LGSP_SYSTEMS, "thue": {"url": ""}}
    clock.now += datetime.timedelta(hours=2)
    client.force_login(operator)
    html = client.get(BUS).content.decode()
    assert "Chưa cấu hình" in html
    # Three messages for the received dossier (the portal's sync, the applicant's SMS and
    # e-mail), waiting since 08:00.
    assert "3 thông điệp chờ gửi, 0 thư lỗi." in html
    assert "<td>2 giờ <small>(từ 08:00 16/11/2026)</small></td>" in html


def test_the_log_pages_fifty_rows_at_a_time_and_filters(client, operator, clock):
    for n in range(120):
        log_entry(at=clock.now + datetime.timedelta(seconds=n))
    log_entry(
        system="thue",
        service="thue.payment.notify",
        direction="in",
        party="thue-client",
        at=clock.now + datetime.timedelta(minutes=10),
    )
    client.force_login(operator)
    first = client.get(BUS).content.decode()
    assert "Nhật ký có 121 bản ghi; đầu chuỗi băm ở bản ghi số 121." in first
    assert first.count('href="/can-bo/lien-thong/nhat-ky/') == 50
    assert ">#121</a>" in first and ">#72</a>" in first and ">#71</a>" not in first
    assert 'href="?trang=2#nhat-ky" rel="next"' in first
    third = client.get(BUS, {"trang": 3}).content.decode()
    assert third.count('href="/can-bo/lien-thong/nhat-ky/') == 21
    assert ">#1</a>" in third and 'rel="next"' not in third
    assert 'href="?trang=2#nhat-ky" rel="prev"' in third
    inbound = client.get(BUS, {"chieu": "in"}).content.decode()
    assert inbound.count('href="/can-bo/lien-thong/nhat-ky/') == 1 and "thue-client" in inbound
    by_system = client.get(BUS, {"he_thong": "dvcqg", "trang": 3}).content.decode()
    assert by_system.count('href="/can-bo/lien-thong/nhat-ky/') == 20
    assert 'href="?he_thong=dvcqg&amp;trang=2#nhat-ky" rel="prev"' in by_system
    # Nonsense in the address is ignored, not an error.
    odd = client.get(BUS, {"he_thong": "<x>", "chieu": "sideways", "trang": "abc"})
    assert odd.status_code == 200 and odd.content.decode().count("/nhat-ky/") == 50


def test_the_page_costs_the_same_few_queries_however_much_there_is(
    client, dead, operator, people, counter_dossier, clock, django_assert_max_num_queries
):
    client.force_login(operator)
    with django_assert_max_num_queries(20) as few:
        client.get(BUS)
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    for n in range(60):
        log_entry(at=clock.now + datetime.timedelta(seconds=n))
        log_entry(
            system="csdldc",
            service="csdldc.person.lookup",
            at=clock.now + datetime.timedelta(seconds=n),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(BUS)
    assert page.content.decode().count('href="/can-bo/lien-thong/nhat-ky/') == 50
    with django_assert_max_num_queries(10):
        client.get(reverse("interop:health"))


def test_a_log_row_shows_plain_bodies_to_readers_and_encrypted_ones_to_operators(
    client, operator, people, clock, settings
):
    settings.MOTCUA_LGSP_PERSONAL_BODIES = "encrypted"
    settings.MOTCUA_LGSP_LOG_KEY = Fernet.generate_key().decode()
    plain = log_entry(
        service="dvcqg.dossier.status",
        request=b'{"MaHoSo":"000.00.31.H01-261116-0001"}',
        at=clock.now,
    )
    sealed = log_entry(request='{"HoVaTen":"Trần Văn Bình"}'.encode(), at=clock.now)
    assert plain.body_storage == "plain" and sealed.body_storage == "encrypted"
    assert "Bình" not in sealed.request_body

    client.force_login(operator)
    html = client.get(reverse("interop:log_row", args=[sealed.seq])).content.decode()
    assert "Trần Văn Bình" in html and "<h1>Bản ghi nhật ký #2</h1>" in html
    client.force_login(people["auditor"])
    html = client.get(reverse("interop:log_row", args=[sealed.seq])).content.decode()
    assert "Trần Văn Bình" not in html and "chỉ quản trị tỉnh xem được" in html
    assert sealed.request_digest in html
    html = client.get(reverse("interop:log_row", args=[plain.seq])).content.decode()
    assert "000.00.31.H01-261116-0001" in html
    assert client.get(reverse("interop:log_row", args=[99])).status_code == 404


def test_a_body_kept_as_a_digest_is_not_shown(client, operator, clock):
    row = log_entry(request='{"HoVaTen":"Trần Văn Bình"}'.encode(), at=clock.now)
    assert row.body_storage == "digest"
    client.force_login(operator)
    html = client.get(reverse("interop:log_row", args=[row.seq])).content.decode()
    assert "chỉ lưu mã băm" in html and row.request_digest in html


def test_the_header_links_the_bus_for_those_who_may_see_it(client, operator, people):
    client.force_login(operator)
    assert 'href="/can-bo/lien-thong/">Liên thông</a>' in client.get("/").content.decode()
    client.force_login(people["auditor"])
    assert 'href="/can-bo/lien-thong/">Liên thông</a>' in client.get("/").content.decode()
    client.force_login(people["desk"])
    assert "Liên thông</a>" not in client.get("/").content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_operator_follows_the_alert_and_replays_in_the_browser(
    live_server, counter_dossier, operator, clock, page
):
    from axe_playwright_python.sync_playwright import Axe

    from tests.conftest import PASSWORD

    def serious() -> list[str]:
        results = Axe().run(page)
        return [
            f"{v['id']}: {v['help']}"
            for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]

    message = settle(clock, "dvcqg", REFUSED)
    base = live_server.url
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()

    page.get_by_role("link", name="Thông báo 1 chưa đọc").click()
    page.get_by_role("heading", name="Thông báo", exact=True).wait_for()
    assert not serious(), serious()
    page.get_by_role("link", name="Thông điệp gửi dvcqg không thành công").click()
    page.get_by_role("heading", name=f"Thông điệp {message.idempotency_key}").wait_for()
    assert not serious(), serious()

    page.get_by_role("link", name="Trục liên thông").first.click()
    page.get_by_role("heading", name="Trục liên thông", exact=True).wait_for()
    assert not serious(), serious()
    # The health table asks for itself again within ten seconds.
    with page.expect_response(lambda r: r.url.endswith("/tinh-trang/"), timeout=15_000):
        pass  # nothing to do: htmx's own timer sends the request
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Gửi lại thông điệp {message.idempotency_key}").click()
    page.get_by_text("trở lại hàng đợi").wait_for()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
