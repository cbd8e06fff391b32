"""The bus's admin: province administrators edit the registry and the connection accounts,
auditors read, and nobody adds, changes or deletes an outbox message or a log row."""

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from egov.interop.inbound.services import connection_account_create
from egov.interop.models import (
    ConnectedSystem,
    MessageLog,
    OutboxMessage,
    SystemHealth,
)
from egov.interop.services.log import Exchange, log_append
from egov.interop.services.outbox import outbox_put
from tests.conftest import CENTER, PROVINCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(clock: Any) -> tuple[OutboxMessage, MessageLog]:
    with transaction.atomic():
        message = outbox_put(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key="dossier:1",
            idempotency_key="dvcqg:1:1",
            payload={"MaHoSo": "001.03.50.H01-261116-0001"},
        )
    row = log_append(
        Exchange(
            direction="out",
            system="dvcqg",
            service="dvcqg.dossier.sync",
            party="motcua",
            request=b"{}",
            response=b"{}",
            status=200,
            code="",
            duration_ms=120,
            outcome="ok",
        ),
        at=clock.now,
    )
    return message, row


def new_system(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "bhxh",
        "name": "Hệ thống thông tin Bảo hiểm xã hội Việt Nam",
        "owner": "Bảo hiểm xã hội Việt Nam",
        "version": "1.0",
        "auth_kind": "api_key",
        "schema_ref": "",
        "access_policy": "",
        "active": "on",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "0",
        "services-0-code": "bhxh.card.lookup",
        "services-0-name": "Tra cứu thẻ bảo hiểm y tế",
        "services-0-direction": "out",
        "services-0-version": "",
        "services-0-scope": "",
        "services-0-personal_data": "on",
        "services-0-active": "on",
        "services-0-schema_ref": "",
    }
    return data | overrides


def test_a_province_administrator_adds_a_system_and_it_gets_its_health(client, staff):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "Trục liên thông" in index and "Hệ thống kết nối" in index
    assert "Nhật ký trao đổi" in index and "Thông điệp chờ gửi" in index
    response = client.post(reverse("admin:interop_connectedsystem_add"), new_system())
    assert response.status_code == 302, response.context["adminform"].form.errors
    system = ConnectedSystem.objects.get(code="bhxh")
    assert [s.code for s in system.services.all()] == ["bhxh.card.lookup"]
    assert SystemHealth.objects.get(system=system).breaker == "closed"
    page = client.get(reverse("admin:interop_connectedsystem_change", args=[system.pk]))
    html = page.content.decode()
    assert "Tình trạng kết nối (do bộ gửi ghi, chỉ xem)" in html
    assert "Bình thường" in html and "Chưa cấu hình" in html
    # The code is for life; the system is paused, never deleted.
    assert 'name="code"' not in html
    delete = reverse("admin:interop_connectedsystem_delete", args=[system.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ConnectedSystem.objects.filter(code="bhxh").exists()


def test_an_auditor_reads_the_registry_and_changes_nothing(client, staff, traffic):
    client.force_login(staff("thanhtra", PROVINCE, "auditor"))
    dvcqg = ConnectedSystem.objects.get(code="dvcqg")
    assert client.get(reverse("admin:interop_connectedsystem_changelist")).status_code == 200
    page = client.get(reverse("admin:interop_connectedsystem_change", args=[dvcqg.pk]))
    assert page.status_code == 200 and "dvcqg.dossier.sync" in page.content.decode()
    assert client.get(reverse("admin:interop_connectedsystem_add")).status_code == 403
    changed = client.post(
        reverse("admin:interop_connectedsystem_change", args=[dvcqg.pk]),
        new_system(code="dvcqg", name="Đổi tên"),
    )
    assert changed.status_code == 403
    assert ConnectedSystem.objects.get(code="dvcqg").name == "Cổng Dịch vụ công quốc gia"
    assert client.get(reverse("admin:interop_connectionaccount_add")).status_code == 403


@pytest.mark.parametrize("role", ["province_admin", "auditor"])
def test_the_outbox_and_the_log_are_read_only_for_everyone(client, staff, traffic, role):
    message, row = traffic
    client.force_login(staff("nguoixem", PROVINCE, role))
    for model, obj in (("outboxmessage", message), ("messagelog", row)):
        listing = client.get(reverse(f"admin:interop_{model}_changelist"))
        assert listing.status_code == 200
        html = listing.content.decode()
        assert "dvcqg.dossier.sync" in html and 'name="action"' not in html
        view = client.get(reverse(f"admin:interop_{model}_change", args=[obj.pk]))
        assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
        assert client.get(reverse(f"admin:interop_{model}_add")).status_code == 403
        change = client.post(reverse(f"admin:interop_{model}_change", args=[obj.pk]), {})
        assert change.status_code == 403
        delete = client.post(reverse(f"admin:interop_{model}_delete", args=[obj.pk]), {"post": "y"})
        assert delete.status_code == 403
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
    assert MessageLog.objects.filter(pk=row.pk).exists()
    # The payload (personal data) opens for the operators only.
    view = client.get(reverse("admin:interop_outboxmessage_change", args=[message.pk]))
    html = view.content.decode()
    assert ("001.03.50.H01-261116-0001" in html) == (role == "province_admin")
    # Its digest, which proves what was sent and reveals nothing, is for both.
    assert message.payload_sha256 in html
    # The log row's bodies are read on the operator page, which asks who may open them.
    view = client.get(reverse("admin:interop_messagelog_change", args=[row.pk])).content.decode()
    assert f'href="/can-bo/lien-thong/nhat-ky/{row.seq}/"' in view


def test_officers_stay_out_of_the_bus_admin(client, staff, traffic):
    client.force_login(staff("tiepnhan", CENTER, "reception"))
    response = client.get(reverse("admin:interop_messagelog_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_connection_accounts_are_edited_with_the_services_rules(client, staff):
    account, _ = connection_account_create(
        system_code="dvcqg", name="Cổng DVC quốc gia gọi tra cứu", scopes=["dossier.status"]
    )
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    listing = client.get(reverse("admin:interop_connectionaccount_changelist")).content.decode()
    assert "Cổng DVC quốc gia gọi tra cứu" in listing and "dossier.status" in listing
    # Created by the command, which shows the secret once; never here.
    assert client.get(reverse("admin:interop_connectionaccount_add")).status_code == 403
    url = reverse("admin:interop_connectionaccount_change", args=[account.pk])
    page = client.get(url).content.decode()
    assert account.application.client_id in page and 'name="application"' not in page
    refused = client.post(url, {"scopes": "dossier.status hack.everything", "rate": "nhiều"})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "hack.everything" in errors["scopes"][0] and "120/m" in errors["rate"][0]
    saved = client.post(url, {"scopes": "tax.payment, dossier.status", "rate": "60/m"})
    assert saved.status_code == 302
    account.refresh_from_db()
    assert (account.scopes, account.rate, account.active) == (
        "dossier.status tax.payment",
        "60/m",
        False,
    )
    delete = reverse("admin:interop_connectionaccount_delete", args=[account.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
