"""Inbound calls from connected systems (LGSP): OAuth2 client credentials, scopes per service,
the message log, Idempotency-Key replays, rate limits and errors in the LGSP style."""

import datetime
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from oauth2_provider.models import AccessToken

from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.services import dossier_create, dossier_perform
from egov.interop.inbound import services
from egov.interop.inbound.services import connection_account_create
from egov.interop.models import (
    ConnectionAccount,
    InboundReplay,
    MessageLog,
    SystemService,
    TaxNotice,
)
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import body_read, log_verify
from egov.notifications.models import StaffNotification
from tests.conftest import PROVINCE, catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.interop.test_tax import LAND, VALUE

pytestmark = pytest.mark.django_db


def alerts() -> Any:
    """The bus's alerts to staff, not the hand-over notices the dossier's moves also give."""
    return StaffNotification.objects.exclude(title__endswith=" chờ bạn xử lý")


TOKEN_URL = "/lgsp/oauth/token/"
PAYMENTS = "/lgsp/v1/tax/payments"


def status_url(code: str) -> str:
    return f"/lgsp/v1/dossiers/{code}/status"


@dataclass
class Caller:
    account: ConnectionAccount
    client_id: str
    secret: str
    http: Client

    def token(self, **extra: str) -> str:
        response = self.http.post(
            TOKEN_URL,
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.secret,
                **extra,
            },
        )
        assert response.status_code == 200, response.content
        return str(response.json()["access_token"])

    def get(self, url: str, *, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.http.get(url, headers=headers)

    def pay(self, body: dict[str, Any], *, key: str | None = "k-1", token: str = "") -> Any:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(
            PAYMENTS, json.dumps(body), content_type="application/json", headers=headers
        )


@pytest.fixture
def caller(db: Any) -> Any:
    def make(system: str, *scopes: str, rate: str = "120/m") -> Caller:
        account, secret = connection_account_create(
            system_code=system, name=f"Tài khoản {system}", scopes=scopes, rate=rate
        )
        return Caller(account, account.application.client_id, secret, Client())

    return make


@pytest.fixture
def tax(caller: Any) -> Caller:
    return caller("thue", "tax.payment")


@pytest.fixture
def portal(caller: Any) -> Caller:
    return caller("dvcqg", "dossier.status")


# What the tax authority (the simulator) asks for LPTB on the land transfer's VALUE: 0.5 %.
TOTAL = 6_173_000


def land_dossier(people: dict[str, Any]) -> Any:
    """A land transfer received at the Long Xuyên desk."""
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.013831",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        form_data={"transferee_name": CITIZEN.name, "contract_value_vnd": VALUE},
    )


def deliver(clock: Any) -> None:
    """What the outbox holds goes out (to the simulator): the transfer brings the notice."""
    while deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now):
        pass  # until nothing is left to deliver


@pytest.fixture
def awaiting(sim: Any, procedures: None, people: dict[str, Any], clock: Any) -> Any:
    """A land transfer at the commune's specialist, waiting for its registration fee: its
    information went to the tax authority, whose notice asks TOTAL."""
    procedures_import(data=catalogue(LAND))
    dossier = land_dossier(people)
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 9, 0)
    act(dossier, "request_obligation", people["leader"], note="Nộp lệ phí", tax_kind="LPTB")
    deliver(clock)
    clock.set(2026, 11, 16, 10, 30)
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_obligation"
    assert TaxNotice.objects.get(dossier=dossier).total == TOTAL
    return dossier


def payment(dossier: Any, **changes: Any) -> dict[str, Any]:
    return {
        "maHoSo": dossier.code,
        "soTien": TOTAL,
        "maThamChieu": "TT-2026-000123",
        "soChungTu": "CT 0045",
        "ngayNop": "20261116101500",
        **changes,
    }


def rows(**filters: Any) -> list[MessageLog]:
    return list(MessageLog.objects.filter(direction="in", **filters).order_by("seq"))


def last_row() -> MessageLog:
    return MessageLog.objects.filter(direction="in").order_by("-seq").first()


def assert_log_intact() -> None:
    count, problem = log_verify()
    assert problem is None
    assert count == MessageLog.objects.count() > 0


def confirmations(dossier: Any) -> list[DossierEvent]:
    return list(dossier.events.filter(action="confirm_obligation"))


# ----------------------------------------------------------------------------- tokens


def test_a_token_is_issued_for_client_credentials_and_refused_for_a_wrong_secret(tax, settings):
    # Even where bodies with personal data are kept encrypted, no secret reaches the log.
    settings.MOTCUA_LGSP_PERSONAL_BODIES = "encrypted"
    settings.MOTCUA_LGSP_LOG_KEY = Fernet.generate_key().decode()
    issued = tax.http.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": tax.client_id,
            "client_secret": tax.secret,
        },
    )
    assert issued.status_code == 200
    answer = issued.json()
    assert answer["token_type"] == "Bearer" and answer["scope"] == "tax.payment"
    assert answer["expires_in"] == 3600
    refused = tax.http.post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "client_id": tax.client_id, "client_secret": "sai"},
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"  # OAuth2 clients read this
    assert refused.json()["error_code"] == "100"  # LGSP clients this
    assert refused.json()["message"].startswith("AUTHEN_ERROR: ")

    ok, bad = rows(service="lgsp.oauth.token")
    assert (ok.system, ok.party, ok.response_status, ok.outcome) == (
        "thue",
        tax.client_id,
        200,
        "ok",
    )
    assert (bad.system, bad.party, bad.response_status, bad.outcome, bad.response_code) == (
        "thue",
        tax.client_id,
        401,
        "refused",
        "invalid_client",
    )
    for row in (ok, bad):
        assert row.body_storage == "encrypted"
        kept = body_read(row) + body_read(row, response=True)
        assert tax.secret not in kept and answer["access_token"] not in kept
        assert "client_secret=***" in body_read(row)
    assert '"access_token":"***"' in body_read(ok, response=True)
    assert_log_intact()


def test_a_client_without_an_active_account_gets_no_token(tax, client):
    tax.account.active = False
    tax.account.save(update_fields=["active"])
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": tax.client_id,
            "client_secret": tax.secret,
        },
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    stranger = client.post(
        TOKEN_URL, {"grant_type": "client_credentials", "client_id": "ai-do", "client_secret": "x"}
    )
    assert stranger.status_code == 401 and stranger.json() == response.json()
    assert [(r.system, r.party, r.outcome) for r in rows(service="lgsp.oauth.token")] == [
        ("thue", tax.client_id, "refused"),
        ("unknown", "ai-do", "refused"),
    ]
    assert_log_intact()


def test_a_token_asks_only_for_granted_scopes(caller):
    both = caller("dvcqg", "dossier.status", "tax.payment")
    response = both.http.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": both.client_id,
            "client_secret": both.secret,
            "scope": "tax.payment",
        },
    )
    assert response.json()["scope"] == "tax.payment"
    narrow = caller("thue", "tax.payment")
    response = narrow.http.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": narrow.client_id,
            "client_secret": narrow.secret,
            "scope": "dossier.status",
        },
    )
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["error_code"]) == ("invalid_scope", "103")


def test_the_token_endpoint_is_rate_limited_per_address(tax, settings):
    settings.MOTCUA_TOKEN_RATE = "2/m"
    tax.token()
    tax.token()
    response = tax.http.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": tax.client_id,
            "client_secret": tax.secret,
        },
    )
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert response.json()["error_code"] == "429"
    assert AccessToken.objects.count() == 2
    assert last_row().outcome == "refused"


# ----------------------------------------------------------------------------- access


def test_a_call_without_a_token_is_refused_and_logged(client, counter_dossier):
    response = client.get(status_url(counter_dossier.code))
    assert response.status_code == 401
    assert response.json() == {
        "error_code": "100",
        "message": "AUTHEN_ERROR: Thiếu mã truy cập: cần tiêu đề Authorization: Bearer "
        "<access_token>.",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")
    (row,) = rows()
    assert (row.system, row.service, row.party, row.response_status, row.response_code) == (
        "unknown",
        "dvcqg.dossier.status",
        "",
        401,
        "100",
    )
    assert row.outcome == "refused"
    # The request line is what was asked: the status service carries no personal data.
    assert row.request_body == f"GET {status_url(counter_dossier.code)}"
    assert_log_intact()


def test_an_unknown_or_expired_token_is_refused(portal, counter_dossier, clock):
    assert portal.get(status_url(counter_dossier.code), token="khong-co").status_code == 401
    token = portal.token()
    assert portal.get(status_url(counter_dossier.code), token=token).status_code == 200
    clock.now += datetime.timedelta(hours=1, seconds=1)  # past the token's hour
    expired = portal.get(status_url(counter_dossier.code), token=token)
    assert expired.status_code == 401
    assert expired.json()["message"] == "AUTHEN_ERROR: Mã truy cập không hợp lệ hoặc đã hết hạn."
    assert [r.outcome for r in rows(service="dvcqg.dossier.status")] == [
        "refused",
        "ok",
        "refused",
    ]


def test_a_locked_account_loses_its_tokens(portal, counter_dossier):
    token = portal.token()
    portal.account.active = False
    portal.account.save(update_fields=["active"])
    response = portal.get(status_url(counter_dossier.code), token=token)
    assert response.status_code == 401 and response.json()["error_code"] == "100"


def test_a_call_whose_token_lacks_the_scope_is_refused_and_logged(tax, counter_dossier):
    response = tax.get(status_url(counter_dossier.code))
    assert response.status_code == 403
    body = response.json()
    assert body["error_code"] == "103"
    assert body["message"] == (
        "PERMISSION_DENIED: Tài khoản kết nối chưa được cấp phạm vi dossier.status "
        "(Tra cứu trạng thái hồ sơ)."
    )
    row = last_row()
    assert (row.system, row.service, row.party, row.response_status, row.outcome) == (
        "thue",
        "dvcqg.dossier.status",
        tax.client_id,
        403,
        "refused",
    )
    assert row.response_code == "103"
    assert_log_intact()


def test_the_scope_must_be_in_the_token_and_the_service_offered(caller, counter_dossier):
    both = caller("dvcqg", "dossier.status", "tax.payment")
    narrow_token = both.token(scope="tax.payment")
    refused = both.get(status_url(counter_dossier.code), token=narrow_token)
    assert refused.status_code == 403
    assert "scope=dossier.status" in refused.json()["message"]
    SystemService.objects.filter(code="dvcqg.dossier.status").update(active=False)
    paused = both.get(status_url(counter_dossier.code), token=both.token())
    assert paused.status_code == 403
    assert paused.json()["message"] == (
        "PERMISSION_DENIED: Dịch vụ dvcqg.dossier.status đang tạm ngừng cung cấp."
    )


def test_calls_are_rate_limited_per_account(caller, counter_dossier):
    portal = caller("dvcqg", "dossier.status", rate="2/m")
    other = caller("dvcqg", "dossier.status", rate="2/m")
    token = portal.token()
    url = status_url(counter_dossier.code)
    assert [portal.get(url, token=token).status_code for _ in range(2)] == [200, 200]
    limited = portal.get(url, token=token)
    assert limited.status_code == 429
    assert limited.json()["error_code"] == "429"
    assert limited.json()["message"].startswith("RATE_LIMITED: ")
    assert limited["Retry-After"] == "60"
    assert other.get(url).status_code == 200  # its own allowance
    row = rows(party=portal.client_id)[-1]
    assert (row.response_status, row.response_code, row.outcome) == (429, "429", "refused")
    assert_log_intact()


def test_unknown_addresses_and_methods_answer_in_the_lgsp_style(portal, counter_dossier):
    missing = portal.http.get("/lgsp/v1/khong-co")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "201"
    wrong_method = portal.http.delete(status_url(counter_dossier.code))
    assert wrong_method.status_code == 405 and wrong_method.json()["error_code"] == "201"
    assert [(r.service, r.response_status) for r in rows()] == [
        ("lgsp.unknown", 404),
        ("lgsp.unknown", 405),
    ]


def test_the_lgsp_api_has_its_own_openapi_document(client):
    document = client.get("/lgsp/v1/openapi.json").json()
    assert document["info"]["title"] == "Trục liên thông (LGSP) — dịch vụ cho hệ thống kết nối"
    assert set(document["paths"]) == {
        "/lgsp/v1/dossiers/{code}/status",
        "/lgsp/v1/tax/payments",
        "/lgsp/v1/dossiers",
    }
    scheme = document["components"]["securitySchemes"]["LgspAuth"]
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == TOKEN_URL
    assert client.get("/lgsp/v1/docs").status_code == 200
    staff = client.get("/api/v1/openapi.json").json()
    assert not any(path.startswith("/lgsp/") for path in staff["paths"])
    assert not rows()  # reading the documents is not a call to a service


# ----------------------------------------------------------------------------- status


def test_the_status_read_carries_no_personal_data(portal, counter_dossier):
    response = portal.get(status_url(counter_dossier.code))
    assert response.status_code == 200
    assert response.json() == {
        "error_code": "0",
        "message": "Thành công",
        "MaHoSo": counter_dossier.code,
        "TrangThaiHoSo": 2,
        "TenTrangThai": "Được tiếp nhận",
        "NgayTiepNhan": "20261116080000",
        "NgayHenTra": "20261117080000",
        "NgayTra": "",
    }
    text = response.content.decode()
    assert "Nguyễn Thị Ánh Tuyết" not in text and "089301000123" not in text
    row = last_row()
    assert (row.system, row.service, row.party, row.outcome, row.response_code) == (
        "dvcqg",
        "dvcqg.dossier.status",
        portal.client_id,
        "ok",
        "0",
    )
    assert row.body_storage == "plain" and body_read(row, response=True) == text
    assert_log_intact()


def test_the_status_of_an_unknown_dossier_is_not_found(portal):
    response = portal.get(status_url("000.00.31.H01-261116-9999"))
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "201",
        "message": "RECORD_NOT_FOUND: Không tìm thấy hồ sơ.",
    }


# ----------------------------------------------------------------------------- payments


def test_a_tax_payment_moves_the_dossier_on_through_the_door(tax, awaiting):
    response = tax.pay(payment(awaiting))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "error_code": "0",
        "message": "Đã ghi nhận",
        "MaHoSo": awaiting.code,
        "TrangThaiHoSo": 4,
    }
    awaiting.refresh_from_db()
    assert awaiting.status == "processing" and awaiting.clock_state == "running"
    (event,) = confirmations(awaiting)
    assert event.actor is None and event.actor_label.casefold() == "hệ thống"
    assert event.note == (
        "Cơ quan thuế báo đã nộp 6.173.000 đồng lúc 10:15 ngày 16/11/2026 "
        "(chứng từ CT 0045, mã tham chiếu TT-2026-000123)"
    )
    row = last_row()
    assert (row.system, row.service, row.party, row.idempotency_key) == (
        "thue",
        "thue.payment.notify",
        tax.client_id,
        "k-1",
    )
    assert (row.response_status, row.response_code, row.outcome) == (200, "0", "ok")
    # Personal data (a dossier's payment): only digests are kept by default.
    assert row.body_storage == "digest" and row.request_body == "" and row.response_body == ""
    replay = InboundReplay.objects.get(account=tax.account, key="k-1")
    assert (replay.status_code, replay.response) == (200, response.json())
    assert_log_intact()


def test_a_payment_after_a_signed_result_releases_it(tax, sim, procedures, people, clock):
    procedures_import(data=catalogue(LAND))
    dossier = land_dossier(people)
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    act(
        dossier,
        "request_obligation",
        people["leader"],
        note="Nộp thuế",
        result_signed=True,
        tax_kind="LPTB",
    )
    deliver(clock)
    response = tax.pay(payment(dossier))
    assert response.status_code == 200 and response.json()["TrangThaiHoSo"] == 9
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"
    assert confirmations(dossier)[0].actor is None


def test_the_same_key_and_body_get_the_same_answer_and_one_effect(tax, awaiting):
    body = payment(awaiting)
    first = tax.pay(body)
    reordered = dict(reversed(list(body.items())))  # the same JSON, its keys in another order
    again = tax.pay(reordered)
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert not first.has_header("Idempotent-Replay")
    assert len(confirmations(awaiting)) == 1
    assert [
        (r.response_status, r.idempotency_key) for r in rows(service="thue.payment.notify")
    ] == [
        (200, "k-1"),
        (200, "k-1"),
    ]
    assert InboundReplay.objects.count() == 1
    assert_log_intact()


def test_the_same_key_with_another_body_is_a_conflict(tax, awaiting):
    tax.pay(payment(awaiting))
    response = tax.pay(payment(awaiting, soTien=999))
    assert response.status_code == 409
    assert response.json() == {
        "error_code": "500",
        "message": "DATA_INCORRECT: Idempotency-Key đã dùng cho nội dung khác.",
    }
    assert len(confirmations(awaiting)) == 1
    assert last_row().outcome == "refused"


def test_a_payment_needs_an_idempotency_key(tax, awaiting):
    response = tax.pay(payment(awaiting), key=None)
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "200",
        "message": "RECORD_UNCOMPLETE: Thiếu tiêu đề bắt buộc: Idempotency-Key.",
    }
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_obligation"
    assert (last_row().response_status, last_row().outcome) == (400, "refused")


def test_a_payment_for_a_dossier_not_awaiting_one_is_refused(tax, counter_dossier):
    response = tax.pay(payment(counter_dossier))
    assert response.status_code == 409
    assert response.json() == {
        "error_code": "500",
        "message": (
            f"DATA_INCORRECT: Hồ sơ {counter_dossier.code} không ở trạng thái chờ thực hiện "
            "nghĩa vụ tài chính (trạng thái hiện tại: Được tiếp nhận); không ghi nhận được."
        ),
    }
    assert not InboundReplay.objects.exists()  # a refusal is not kept: the key is free
    unknown = tax.pay(payment(counter_dossier, maHoSo="000.00.31.H01-261116-9999"), key="k-2")
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "201"
    assert [r.response_status for r in rows(service="thue.payment.notify")] == [409, 404]


def test_a_payment_of_another_amount_moves_nothing_and_tells_the_desk(tax, awaiting, people, staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    notice = TaxNotice.objects.get(dossier=awaiting)
    before = (awaiting.status, awaiting.version, awaiting.event_seq)
    response = tax.pay(payment(awaiting, soTien=6_000_000))
    assert response.status_code == 409
    assert response.json() == {
        "error_code": "500",
        "message": (
            f"DATA_INCORRECT: Hồ sơ {awaiting.code}: số tiền đã nộp 6.000.000 đồng khác số "
            f"tiền phải nộp 6.173.000 đồng của thông báo {notice.number}; không ghi nhận được."
        ),
    }
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.version, awaiting.event_seq) == before
    assert not confirmations(awaiting)
    assert not InboundReplay.objects.exists()  # refused: the key stays free
    row = last_row()
    assert (row.service, row.party, row.response_status, row.response_code, row.outcome) == (
        "thue.payment.notify",
        tax.client_id,
        409,
        "500",
        "disputed",
    )
    assert row.get_outcome_display() == "Không khớp, không ghi nhận"
    # The desk that received it and the leaders of the commune that decides it; nobody else.
    told = alerts().order_by("recipient__username")
    assert [n.recipient for n in told] == [people["leader"], people["desk"]]
    assert admin not in {n.recipient for n in told}
    alert = told[0]
    assert awaiting.code in alert.title and "TT-2026-000123" in alert.title
    assert "6.000.000 đồng" in alert.body and "6.173.000 đồng" in alert.body
    assert "vẫn chờ thực hiện nghĩa vụ tài chính" in alert.body
    assert alert.link == f"/can-bo/ho-so/{awaiting.code}/"

    # Sent again: refused and logged again; the desk is not told twice the same day.
    again = tax.pay(payment(awaiting, soTien=6_000_000))
    assert again.status_code == 409
    assert [r.outcome for r in rows(service="thue.payment.notify")] == ["disputed", "disputed"]
    assert alerts().count() == 2
    # The right amount, under the same key, moves the dossier on.
    right = tax.pay(payment(awaiting))
    assert right.status_code == 200 and right.json()["TrangThaiHoSo"] == 4
    awaiting.refresh_from_db()
    assert awaiting.status == "processing"
    assert_log_intact()


def test_a_payment_for_an_obligation_the_tax_authority_never_got_is_refused(
    tax, counter_dossier, people
):
    # A fee asked at the desk: nothing went to the tax authority, so it has no notice.
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "request_obligation", people["leader"], note="Nộp lệ phí")
    counter_dossier.refresh_from_db()
    before = (counter_dossier.status, counter_dossier.version, counter_dossier.event_seq)
    assert before[0] == "awaiting_obligation"
    response = tax.pay(payment(counter_dossier))
    assert response.status_code == 409 and response.json()["error_code"] == "500"
    assert "chưa có thông báo nộp tiền" in response.json()["message"]
    counter_dossier.refresh_from_db()
    assert (
        counter_dossier.status,
        counter_dossier.version,
        counter_dossier.event_seq,
    ) == before
    assert (last_row().response_status, last_row().outcome) == (409, "disputed")
    told = alerts().order_by("recipient__username")
    assert [n.recipient for n in told] == [people["leader"], people["desk"]]
    assert "chưa có thông báo nộp tiền" in told[0].body


def test_a_payment_for_an_unknown_dossier_tells_the_province_administrators(
    tax, awaiting, people, staff, clock, client
):
    admin = staff("quantri", PROVINCE, "province_admin")
    before = (awaiting.status, awaiting.version, awaiting.event_seq)
    # A code no dossier has (one with a control character is refused at the door: 302).
    unknown = "000.00.31.H01-261116-9999"
    response = tax.pay(payment(awaiting, maHoSo=unknown))
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "201",
        "message": "RECORD_NOT_FOUND: Không tìm thấy hồ sơ.",
    }
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.version, awaiting.event_seq) == before
    assert not DossierEvent.objects.filter(action="confirm_obligation").exists()
    row = last_row()
    assert (row.service, row.response_status, row.response_code, row.outcome) == (
        "thue.payment.notify",
        404,
        "201",
        "refused",
    )
    # No desk to tell: the province administrators, who run the bus.
    (alert,) = alerts()
    assert alert.recipient == admin
    assert "000.00.31.H01-261116-9999" in alert.body
    assert "6.173.000 đồng" in alert.body and "TT-2026-000123" in alert.body
    assert alert.link == f"/can-bo/lien-thong/nhat-ky/{row.seq}/"
    client.force_login(admin)
    assert client.get(alert.link).status_code == 200  # the operator reads the call's row

    # Another unknown code within the hour: refused and logged, told with the first.
    other = tax.pay(payment(awaiting, maHoSo="000.00.31.H01-261116-9998"), key="k-2")
    assert other.status_code == 404
    assert alerts().count() == 1
    clock.now += datetime.timedelta(hours=1, minutes=1)
    tax.pay(payment(awaiting, maHoSo="000.00.31.H01-261116-9997"), key="k-3")
    assert alerts().count() == 2
    assert [r.response_status for r in rows(service="thue.payment.notify")] == [404, 404, 404]
    assert_log_intact()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"soTien": "1250000"}, "302", "soTien"),
        ({"soTien": 0}, "302", "soTien"),
        # Beyond what the notice's 64-bit total holds: a wrong number, not another amount.
        ({"soTien": 2**63}, "302", "soTien"),
        ({"soTien": 10**40}, "302", "soTien"),
        # No payment is reported before it was made, nor from before the bus.
        ({"ngayNop": "99991231235959"}, "302", "ngayNop"),
        ({"ngayNop": "20261118101500"}, "302", "ngayNop"),
        ({"ngayNop": "00010101000000"}, "302", "ngayNop"),
        ({"ngayNop": "2026-11-16"}, "302", "ngayNop"),
        ({"ngayNop": "20261332101500"}, "302", "ngayNop"),
        ({"maThamChieu": "TT 1)"}, "302", "maThamChieu"),
        ({"maHoSo": ""}, "200", "maHoSo"),
        ({"soChungTu": None}, "302", "soChungTu"),
        # Refused before any service, as every input of the site (egov.core.input_guard).
        ({"soChungTu": "CT\x00\x1b01"}, "302", "soChungTu"),
    ],
)
def test_a_payment_with_bad_data_is_refused_with_the_field(tax, awaiting, changes, code, field):
    response = tax.pay(payment(awaiting, **changes))
    assert response.status_code == 400
    assert response.json()["error_code"] == code
    assert field in response.json()["message"]
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_obligation"
    assert not alerts().exists() and not InboundReplay.objects.exists()


def test_a_payment_with_a_field_missing_is_incomplete(tax, awaiting):
    body = payment(awaiting)
    del body["maThamChieu"]
    response = tax.pay(body)
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "200",
        "message": "RECORD_UNCOMPLETE: Thiếu trường bắt buộc: maThamChieu.",
    }


def test_a_payment_applied_before_its_answer_was_lost_is_answered_again(tax, awaiting, monkeypatch):
    """The crash window: the door committed, then the process died before the answer and
    the log row were written. The retry finds the payment applied and answers success."""
    real_log = services.call_log
    calls = {"n": 0}

    def dies_once(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the process died")
        return real_log(**kwargs)

    monkeypatch.setattr(services, "call_log", dies_once)
    lost = tax.pay(payment(awaiting))
    assert lost.status_code == 500 and lost.json()["error_code"] == "999"
    awaiting.refresh_from_db()
    assert awaiting.status == "processing"  # the effect happened
    assert not InboundReplay.objects.exists()  # its answer did not
    retry = tax.pay(payment(awaiting))
    assert retry.status_code == 200
    assert retry.json() == {
        "error_code": "0",
        "message": "Đã ghi nhận",
        "MaHoSo": awaiting.code,
        "TrangThaiHoSo": 4,
    }
    assert len(confirmations(awaiting)) == 1
    assert InboundReplay.objects.filter(key="k-1").exists()
    assert [(r.response_status, r.outcome) for r in rows(service="thue.payment.notify")] == [
        (500, "error"),
        (200, "ok"),
    ]
    assert_log_intact()


def test_one_payment_is_applied_once_even_under_another_key(tax, awaiting):
    tax.pay(payment(awaiting), key="k-1")
    again = tax.pay(payment(awaiting), key="k-2")
    assert again.status_code == 200 and again.json()["TrangThaiHoSo"] == 4
    assert len(confirmations(awaiting)) == 1
    other = tax.pay(payment(awaiting, maThamChieu="TT-2026-000999"), key="k-3")
    assert other.status_code == 409 and other.json()["error_code"] == "500"


def test_the_message_log_verifies_after_a_day_of_calls(tax, portal, awaiting, client):
    tax_token, portal_token = tax.token(), portal.token()
    client.get(status_url(awaiting.code))
    portal.get(status_url(awaiting.code), token=portal_token)
    tax.get(status_url(awaiting.code), token=tax_token)
    tax.pay(payment(awaiting), key=None, token=tax_token)
    tax.pay(payment(awaiting), token=tax_token)
    tax.pay(payment(awaiting), token=tax_token)
    tax.pay(payment(awaiting, soTien=1), token=tax_token)  # the same key, another body
    assert [(r.service, r.response_status) for r in rows()] == [
        ("lgsp.oauth.token", 200),
        ("lgsp.oauth.token", 200),
        ("dvcqg.dossier.status", 401),
        ("dvcqg.dossier.status", 200),
        ("dvcqg.dossier.status", 403),
        ("thue.payment.notify", 400),
        ("thue.payment.notify", 200),
        ("thue.payment.notify", 200),
        ("thue.payment.notify", 409),
    ]
    # The nine calls, and the exchanges out: the applicant's check against the population
    # database at intake, the transfer to the tax authority, the portal's syncs, the e-mails.
    assert log_verify() == (MessageLog.objects.count(), None)
    assert MessageLog.objects.filter(direction="out", service="thue.dossier.transfer").exists()


# ----------------------------------------------------------------------------- the command


def test_the_command_creates_an_account_and_shows_its_secret_once():
    out = StringIO()
    call_command(
        "create_connection_account",
        "--system",
        "thue",
        "--name",
        "Cục Thuế An Giang",
        "--scopes",
        "tax.payment",
        "--rate",
        "60/m",
        stdout=out,
    )
    account = ConnectionAccount.objects.select_related("application").get()
    application = account.application
    printed = dict(
        line.strip().split(": ", 1) for line in out.getvalue().splitlines() if "client_" in line
    )
    assert printed["client_id"].strip() == application.client_id
    secret = printed["client_secret"].strip()
    assert application.client_secret != secret  # only a hash is kept
    assert check_password(secret, application.client_secret)
    assert (application.client_type, application.authorization_grant_type) == (
        "confidential",
        "client-credentials",
    )
    assert (account.system_id, account.scopes, account.rate) == (
        account.system.pk,
        "tax.payment",
        "60/m",
    )
    assert account.system.code == "thue" and application.name == "Cục Thuế An Giang"
    assert "chỉ hiển thị một lần" in out.getvalue()
    token = Client().post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--system", "khong-co", "--scopes", "tax.payment"], "Không có hệ thống kết nối"),
        (["--system", "thue", "--scopes", "tax.refund"], "Phạm vi không có trong danh mục"),
        (["--system", "thue", "--scopes", "tax.payment", "--rate", "nhanh"], "không hợp lệ"),
    ],
)
def test_the_command_refuses_what_the_registry_does_not_know(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_connection_account", "--name", "Cục Thuế", *args, stdout=StringIO())
    assert not ConnectionAccount.objects.exists()


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's real row locks (MOTCUA_TEST_DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_notices_with_one_key_apply_once(caller, awaiting):
    """Eight notices with one key at once: the door's row lock lets one apply; the others
    find it applied (or its stored answer) and answer the same."""
    tax = caller("thue", "tax.payment")
    token = tax.token()
    body = json.dumps(payment(awaiting))
    start = threading.Barrier(8)

    def notify(_: int) -> tuple[int, str]:
        try:
            start.wait()
            response = Client().post(
                PAYMENTS,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
            )
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(notify, range(8)))

    assert {status for status, _ in answers} == {200}
    assert len({json.loads(content)["TrangThaiHoSo"] for _, content in answers}) == 1
    dossier = Dossier.objects.get(pk=awaiting.pk)
    assert dossier.status == "processing"
    assert len(confirmations(dossier)) == 1
    assert InboundReplay.objects.count() == 1
    assert_log_intact()


def test_a_payment_the_poll_confirmed_first_is_answered_as_applied(tax, awaiting):
    # The worker's poll read the payment from the tax authority before its notice came in.
    dossier_perform(
        key=awaiting.code,
        action="confirm_obligation",
        actor=None,
        version=awaiting.version,
        note="Cơ quan thuế xác nhận đã nộp",
        payment_reference="TT-2026-000123",
    )
    answer = tax.pay(payment(awaiting))
    assert answer.status_code == 200 and answer.json()["error_code"] == "0"
    assert len(confirmations(awaiting)) == 1
