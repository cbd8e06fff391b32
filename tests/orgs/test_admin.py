"""The admin site asks the policies: province admins edit, auditors read, agency admins manage
their own agency's staff, and everybody else stays out."""

import pytest
from django.urls import reverse

from egov.catalog.models import Procedure
from egov.catalog.selectors import procedure_search
from egov.orgs import policies
from egov.orgs.models import Agency, Membership
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


def change_form_data(client, url, procedure) -> dict:
    """What the admin's change form posts back for this procedure, untouched."""
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (dict, list))
    }
    data.update(
        {
            "sector": procedure.sector_id,
            "competent_agency": procedure.competent_agency_id or "",
            "legacy_online_level": procedure.legacy_online_level or "",
            "online_time_limit_value": "",
            "valid_to": "",
        }
    )
    # The e-form builder's rows, one per field of the saved e-form.
    fields = procedure.form_schema.get("fields", [])
    data["form_schema-TOTAL_FORMS"] = data["form_schema-INITIAL_FORMS"] = len(fields)
    for index, field in enumerate(fields):
        row = f"form_schema-{index}-"
        data[row + "label"], data[row + "name"] = field["label"], field["name"]
        data[row + "type"], data[row + "ORDER"] = field["type"], index + 1
        data[row + "choices"] = "\n".join(f"{v} | {label}" for v, label in field.get("choices", []))
        if field["required"]:
            data[row + "required"] = "on"
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
    return data


def test_province_admin_edit_keeps_version_history(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    procedure = Procedure.objects.get(national_code="2.001417")
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    data = change_form_data(client, url, procedure)
    data["name"] = "Cấp Phiếu lý lịch tư pháp số 1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure.refresh_from_db()
    assert procedure.version == 2
    assert [p.national_code for p in procedure_search(query="phieu so 1")] == ["2.001417"]
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


def test_agencies_and_procedures_cannot_be_deleted(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    justice = Agency.objects.get(code=JUSTICE)
    url = reverse("admin:orgs_agency_delete", args=[justice.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    procedure = Procedure.objects.get(national_code="1.001193")
    url = reverse("admin:catalog_procedure_delete", args=[procedure.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Procedure.objects.filter(pk=procedure.pk).exists()


def test_admin_search_finds_procedures_typed_without_diacritics(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    page = client.get(reverse("admin:catalog_procedure_changelist"), {"q": "dang ky khai sinh"})
    assert "Thủ tục đăng ký khai sinh" in page.content.decode()


def add_membership(client, username: str, agency, role: str):
    return client.post(
        reverse("admin:orgs_membership_add"),
        {"user": username, "agency": agency.pk, "role": role},
    )


def test_agency_admin_cannot_lift_anyone_to_a_province_wide_role(client, staff, agencies):
    boss = staff("qtcq", JUSTICE, "agency_admin")
    client.force_login(boss)
    form = client.get(reverse("admin:orgs_membership_add")).content.decode()
    assert 'value="province_admin"' not in form and 'value="auditor"' not in form
    response = add_membership(client, "qtcq", agencies[JUSTICE], "province_admin")
    assert response.status_code == 200  # the form again, with its error
    assert not policies.is_province_admin(boss)
    assert client.get(reverse("admin:catalog_procedure_changelist")).status_code == 403


def test_agency_admin_gives_roles_in_own_agency_only(client, staff, agencies):
    staff("moi", CENTER, "reception")
    client.force_login(staff("qtcq", JUSTICE, "agency_admin"))
    assert add_membership(client, "moi", agencies[JUSTICE], "specialist").status_code == 302
    assert Membership.objects.filter(user__username="moi", agency=agencies[JUSTICE]).exists()
    response = add_membership(client, "moi", agencies[CENTER], "leader")
    assert response.status_code == 200
    assert not Membership.objects.filter(user__username="moi", role="leader").exists()
    response = add_membership(client, "nobody", agencies[JUSTICE], "clerk")
    assert "Không có tài khoản với tên đăng nhập này" in response.content.decode()


def test_admin_roles_open_and_close_the_admin_site(client, staff, agencies):
    from django.contrib.auth import get_user_model

    officer = staff("canbo", CENTER, "reception")
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    assert add_membership(client, "canbo", agencies[CENTER], "agency_admin").status_code == 302
    assert get_user_model().objects.get(pk=officer.pk).is_staff
    membership = Membership.objects.get(user=officer, role="agency_admin")
    response = client.post(
        reverse("admin:orgs_membership_change", args=[membership.pk]), {"active": ""}
    )
    assert response.status_code == 302
    assert not get_user_model().objects.get(pk=officer.pk).is_staff


def test_agency_codes_are_fixed_once_given(client, staff, agencies):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    page = client.get(reverse("admin:orgs_agency_change", args=[agencies[JUSTICE].pk]))
    assert 'name="code"' not in page.content.decode()


def test_admin_refuses_steps_longer_than_the_time_limit(client, staff, procedures):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    procedure = Procedure.objects.get(national_code="2.001417")
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    data = change_form_data(client, url, procedure)
    data["steps-1-hours"] = "300"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "vượt thời hạn giải quyết" in response.content.decode()
    assert procedure.steps.get(position=2).hours == 40


def new_procedure_form(sector_id: int, **changes) -> dict:
    data = {
        "national_code": "1.777777",
        "name": "Thủ tục thử nghiệm",
        "sector": sector_id,
        "level": "commune",
        "competent_agency_kind": "commune_committee",
        "online_level": "partial",
        "time_limit_value": "2",
        "time_limit_unit": "working_days",
        "result_name": "Giấy xác nhận",
        "legal_basis": "Nghị định 118/2025/NĐ-CP",
        "valid_from": "2025-07-01",
        "form_schema-TOTAL_FORMS": 0,  # the e-form builder, with no field yet
        "form_schema-INITIAL_FORMS": 0,
        "documents-TOTAL_FORMS": 0,
        "documents-INITIAL_FORMS": 0,
        "fees-TOTAL_FORMS": 0,
        "fees-INITIAL_FORMS": 0,
        "steps-TOTAL_FORMS": 1,
        "steps-INITIAL_FORMS": 0,
        "steps-0-position": 1,
        "steps-0-name": "Tiếp nhận",
        "steps-0-agency_kind": "commune_service_center",
        "steps-0-role": "reception",
        "steps-0-hours": "4",
    }
    data.update(changes)
    return data


def test_admin_adds_a_procedure_that_exports_and_imports_again(client, staff, procedures):
    from egov.catalog.selectors import procedures_export
    from egov.catalog.services import procedures_import

    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    sector = Procedure.objects.get(national_code="1.001193").sector_id
    response = client.post(reverse("admin:catalog_procedure_add"), new_procedure_form(sector))
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Procedure.objects.get(national_code="1.777777")
    assert added.form_schema == {"fields": []} and added.version == 1
    result = procedures_import(data=procedures_export())
    assert "1.777777" in result.unchanged


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"online_time_limit_value": "1.5", "online_time_limit_unit": "days"},
            "online_time_limit_value",
            "số nguyên",
        ),
        ({"online_level": "full"}, "full_process_eligible", "toàn trình"),
        ({"level": "province"}, "competent_agency", "cấp tỉnh"),
        ({"steps-0-hours": "40"}, None, "vượt thời hạn"),
    ],
)
def test_admin_asks_the_catalogue_rules(client, staff, procedures, changes, field, message):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    sector = Procedure.objects.get(national_code="1.001193").sector_id
    response = client.post(
        reverse("admin:catalog_procedure_add"), new_procedure_form(sector, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    if field:
        assert field in response.context["adminform"].form.errors
    assert not Procedure.objects.filter(national_code="1.777777").exists()


def test_an_agency_cannot_be_its_own_parent(client, staff, agencies):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    justice = agencies[JUSTICE]
    url = reverse("admin:orgs_agency_change", args=[justice.pk])
    response = client.post(
        url,
        {
            "name": justice.name,
            "short_name": "STP",
            "kind": justice.kind,
            "parent": justice.pk,
            "province_code": 91,
            "valid_from": "2025-07-01",
        },
    )
    assert response.status_code == 200
    assert "Không thể chọn chính cơ quan này" in response.content.decode()
    justice.refresh_from_db()
    assert justice.parent_id == agencies[PROVINCE].pk
