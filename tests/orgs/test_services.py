from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from egov.orgs import policies
from egov.orgs.errors import StaffAccountError, UnknownAgencyError, UnknownRoleError
from egov.orgs.models import Agency, Membership
from egov.orgs.services import agency_upsert, staff_provision
from tests.conftest import CENTER, COMMUNE, JUSTICE, PASSWORD, PROVINCE, REFORM_DAY

pytestmark = pytest.mark.django_db


def test_agency_upsert_is_idempotent_and_derives_the_qd20_code(agencies):
    commune = Agency.objects.get(code=COMMUNE)
    assert commune.code_qd20 == "H01.50.03"
    assert Agency.objects.get(code=JUSTICE).code_qd20 == "H01.03"
    assert Agency.objects.get(code=PROVINCE).code_qd20 == "H01"
    _, changed = agency_upsert(
        code=COMMUNE,
        name=commune.name,
        kind=commune.kind,
        parent_code=PROVINCE,
        province_code=91,
        ward_code=30307,
        valid_from=REFORM_DAY,
    )
    assert changed is False
    _, changed = agency_upsert(
        code=COMMUNE,
        name="UBND phường Long Xuyên (mới)",
        kind=commune.kind,
        parent_code=PROVINCE,
        province_code=91,
        ward_code=30307,
        valid_from=REFORM_DAY,
    )
    assert changed is True
    assert Agency.objects.get(code=COMMUNE).name == "UBND phường Long Xuyên (mới)"


def test_agency_code_must_have_the_qcvn_102_shape(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        agency_upsert(
            code="00.00.00.H01",
            name="Sai mã",
            kind="department",
            province_code=91,
            valid_from=REFORM_DAY,
        )
    assert not Agency.objects.exists()


def test_create_staff_command_gives_roles(agencies):
    out = StringIO()
    call_command(
        "create_staff",
        username="hoa.nguyen",
        password=PASSWORD,
        agency=CENTER,
        roles="reception,leader",
        full_name="Nguyễn Thị Hoa",
        title="Phó Giám đốc",
        stdout=out,
    )
    assert "reception, leader" in out.getvalue()
    user = get_user_model().objects.get(username="hoa.nguyen")
    assert user.check_password(PASSWORD)
    assert user.first_name == "Nguyễn Thị Hoa"
    assert not user.is_staff  # reception and leader work in the desk, not the admin site
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        "reception",
        "leader",
    }
    assert policies.has_role(user, agencies[CENTER], "reception")
    assert not policies.has_role(user, agencies[JUSTICE], "reception")
    assert set(Membership.objects.filter(user=user).values_list("title", flat=True)) == {
        "Phó Giám đốc"
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"agency": "000.00.77.H01", "roles": "reception"}, "000.00.77.H01"),
        ({"agency": CENTER, "roles": "reception,boss"}, "boss"),
        ({"agency": CENTER, "roles": ","}, "ít nhất một vai trò"),
    ],
)
def test_create_staff_command_errors_are_clear_and_change_nothing(agencies, options, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "create_staff", username="x.y", password=PASSWORD, full_name="Lê Văn Y", **options
        )
    assert not get_user_model().objects.filter(username="x.y").exists()


def test_create_staff_asks_for_the_name_the_forms_print(agencies):
    with pytest.raises(CommandError, match="--full-name"):
        call_command(
            "create_staff",
            "--username=x.y",
            f"--password={PASSWORD}",
            "--agency",
            CENTER,
            "--roles=reception",
        )
    assert not get_user_model().objects.filter(username="x.y").exists()


def test_new_account_needs_a_good_password(agencies):
    with pytest.raises(StaffAccountError):
        staff_provision(username="a", password=None, agency_code=CENTER, roles=["reception"])
    with pytest.raises(StaffAccountError, match="Mật khẩu chưa đạt"):
        staff_provision(username="a", password="123", agency_code=CENTER, roles=["reception"])
    assert not get_user_model().objects.filter(username="a").exists()


def test_usernames_and_emails_are_checked(agencies):
    with pytest.raises(StaffAccountError, match="Tài khoản chưa hợp lệ"):
        staff_provision(
            username="có dấu cách", password=PASSWORD, agency_code=CENTER, roles=["reception"]
        )
    with pytest.raises(StaffAccountError, match="Tài khoản chưa hợp lệ"):
        staff_provision(
            username="ok",
            password=PASSWORD,
            agency_code=CENTER,
            roles=["reception"],
            email="khong-phai-email",
        )
    assert not get_user_model().objects.exists()


def test_existing_account_gets_more_roles_and_keeps_its_password(agencies):
    staff_provision(username="b", password=PASSWORD, agency_code=CENTER, roles=["reception"])
    user, added = staff_provision(
        username="b", password=None, agency_code=JUSTICE, roles=["specialist", "agency_admin"]
    )
    assert {m.role for m in added} == {"specialist", "agency_admin"}
    assert user.check_password(PASSWORD)
    assert user.is_staff
    _, again = staff_provision(
        username="b", password=None, agency_code=JUSTICE, roles=["specialist"]
    )
    assert again == []


def test_errors_are_domain_errors(agencies):
    with pytest.raises(UnknownAgencyError):
        staff_provision(
            username="c", password=PASSWORD, agency_code="000.00.55.H01", roles=["reception"]
        )
    with pytest.raises(UnknownRoleError):
        staff_provision(username="c", password=PASSWORD, agency_code=CENTER, roles=["king"])


def test_province_wide_roles_reach_every_agency(agencies, staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    auditor = staff("thanhtra", JUSTICE, "auditor")
    officer = staff("canbo", CENTER, "reception")
    assert policies.is_province_admin(admin)
    assert policies.can_manage_agency(admin, agencies[COMMUNE])
    assert policies.has_role(auditor, agencies[COMMUNE], "auditor")
    assert policies.can_read_everything(auditor) and not policies.is_province_admin(auditor)
    assert not policies.can_read_everything(officer)
    assert not policies.can_manage_catalog(officer)
    assert policies.is_staff_member(officer)


def test_inactive_memberships_grant_nothing(agencies, staff):
    officer = staff("canbo", CENTER, "reception")
    Membership.objects.filter(user=officer).update(active=False)
    assert not policies.has_role(officer, agencies[CENTER], "reception")
    assert not policies.is_staff_member(officer)
