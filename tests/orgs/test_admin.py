"""The admin site asks the policies: province admins edit, auditors read, agency admins manage
their own agency's staff, and everybody else stays out."""

import pytest
from django.urls import reverse

from egov.catalog.models import Procedure
from egov.orgs.models import Membership
from tests.conftest import CENTER, JUSTICE, PROVINCE

pytestmark = pytest.mark.django_db


def test_province_admin_reads_and_edits_in_vietnamese(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "Quản trị MotCua" in index
    assert "Thủ tục hành chính" in index and "Cơ quan" in index
    assert "Lịch làm việc của tỉnh" in index
    page = client.get(reverse("admin:catalog_procedure_changelist")).content.decode()
    assert "Thủ tục đăng ký khai sinh" in page
    assert client.get(reverse("admin:orgs_calendarentry_add")).status_code == 200


def test_province_admin_edit_keeps_version_history(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    procedure = Procedure.objects.get(national_code="2.001417")
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (dict, list))
    }
    data.update(
        {
            "national_code": "2.001417",
            "name": "Cấp Phiếu lý lịch tư pháp số 1",
            "sector": procedure.sector_id,
            "competent_agency": procedure.competent_agency_id,
            "form_schema": '{"fields": []}',
            "legacy_online_level": 3,
            "online_time_limit_value": "",
            "valid_to": "",
        }
    )
    for prefix, rows in (
        ("documents", procedure.documents.all()),
        ("fees", procedure.fees.all()),
        ("steps", procedure.steps.all()),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-procedure"] = procedure.pk
            for field in row._meta.fields:
                if field.name not in {"id", "procedure"}:
                    value = getattr(row, field.attname)
                    if isinstance(value, bool):
                        if value:
                            data[f"{prefix}-{index}-{field.name}"] = "on"
                    elif value is not None:
                        data[f"{prefix}-{index}-{field.attname.removesuffix('_id')}"] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure.refresh_from_db()
    assert procedure.version == 2
    assert procedure.search_text.startswith("2.001417 cap phieu ly lich tu phap so 1")
    assert procedure.revisions.get(version=2).content["name"] == "Cấp Phiếu lý lịch tư pháp số 1"


def test_auditor_reads_but_cannot_change(client, staff, procedures):
    client.force_login(staff("thanhtra", JUSTICE, "auditor"))
    assert client.get(reverse("admin:catalog_procedure_changelist")).status_code == 200
    assert client.get(reverse("admin:orgs_calendarentry_add")).status_code == 403
    procedure = Procedure.objects.get(national_code="1.001193")
    response = client.post(
        reverse("admin:catalog_procedure_delete", args=[procedure.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Procedure.objects.filter(pk=procedure.pk).exists()


def test_agency_admin_sees_only_own_agency_staff(client, staff, agencies):
    staff("tiepnhan", CENTER, "reception")
    staff("chuyenvien", JUSTICE, "specialist")
    client.force_login(staff("qtcq", JUSTICE, "agency_admin"))
    page = client.get(reverse("admin:orgs_membership_changelist")).content.decode()
    assert "chuyenvien" in page and "tiepnhan" not in page
    other = Membership.objects.get(user__username="tiepnhan")
    url = reverse("admin:orgs_membership_change", args=[other.pk])
    assert client.get(url).status_code in {302, 404}
    assert client.get(reverse("admin:catalog_procedure_changelist")).status_code == 403


def test_officers_without_admin_roles_are_kept_out(client, staff, agencies):
    client.force_login(staff("tiepnhan", CENTER, "reception"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_agencies_cannot_be_deleted(client, staff, agencies):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    url = reverse("admin:orgs_agency_delete", args=[agencies[JUSTICE].pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
