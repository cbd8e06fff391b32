"""People, not logins: every form names an officer by full name and the title held at the
agency the form concerns; the admin and the services record both, the demo has them."""

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from egov.demo.agencies import all_agencies, officer_title
from egov.dossiers.models import Dossier
from egov.dossiers.printing import (
    FORMS,
    Officer,
    officer,
    supplement_request,
    tracking_book,
)
from egov.dossiers.services import dossier_create
from egov.orgs.errors import StaffAccountError
from egov.orgs.models import Agency, Membership
from egov.orgs.services import agency_upsert, staff_provision
from tests.conftest import COMMUNE, COMMUNE_CENTER, POLICE, PROVINCE, REFORM_DAY
from tests.dossiers.conftest import CITIZEN, VN, act
from tests.dossiers.test_printing import name_officer, read

pytestmark = pytest.mark.django_db

LOGINS = ("tiepnhan.xa", "chuyenvien.xa", "lanhdao.xa", "congan")


def person(first: str, last: str = "") -> Any:
    """Something with Django's User.get_full_name()."""
    return SimpleNamespace(get_full_name=lambda: f"{first} {last}".strip())


def test_an_officer_is_a_full_name_and_a_title():
    assert str(officer(person("Võ Thị Kim Yến"), "Công chức")) == "Võ Thị Kim Yến, Công chức"
    assert str(officer(person("Võ Thị", " Kim  Yến"), "  Phó\tChủ tịch ")) == (
        "Võ Thị Kim Yến, Phó Chủ tịch"
    )
    assert str(officer(person("Đặng Quốc Bảo"))) == "Đặng Quốc Bảo"
    # An account without a full name leaves a blank to fill in, never its login.
    assert officer(person(""), "") == Officer(name="") and not officer(person(""))
    assert not officer(None)


def named_people(people: dict[str, Any]) -> None:
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    name_officer(people["specialist"], COMMUNE, "specialist", "Huỳnh Văn Đức", "Công chức tư pháp")
    name_officer(people["leader"], COMMUNE, "leader", "Đặng Quốc Bảo", "Phó Chủ tịch")
    name_officer(people["police"], POLICE, "specialist", "Trần Minh Khang", "Cán bộ")
    # The leader also holds a role elsewhere, with another title: not the one this form means.
    staff_provision(
        username="lanhdao.xa",
        password=None,
        agency_code=PROVINCE,
        roles=["auditor"],
        title="Ủy viên tổ kiểm tra",
    )


def test_every_form_names_its_officers_and_never_a_login(counter_dossier, people, clock):
    named_people(people)
    act(counter_dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 9, 0)
    act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu", items=["A"])
    act(counter_dossier, "complete_supplement", people["specialist"])
    act(
        counter_dossier,
        "apologize",
        people["leader"],
        note="Chờ xác minh",
        new_due_at=datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN),
    )
    act(counter_dossier, "forward", people["specialist"])
    act(counter_dossier, "stop", people["leader"], note="Dừng")
    counter_dossier.refresh_from_db()
    expected = {
        "01": ["NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Võ Thị Kim Yến Công chức"],
        "02": [
            "liên hệ với Huỳnh Văn Đức, Công chức tư pháp hoặc",
            "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Huỳnh Văn Đức Công chức tư pháp",
        ],
        "04": ["(Ký, ghi rõ họ tên và đóng dấu) Đặng Quốc Bảo Phó Chủ tịch"],
        "05": ["Võ Thị Kim Yến Công chức Huỳnh Văn Đức Công chức tư pháp"],
        "stop": ["(Ký, ghi rõ họ tên và đóng dấu) Đặng Quốc Bảo Phó Chủ tịch"],
    }
    for form, phrases in expected.items():
        text, _ = read(FORMS[form](counter_dossier))
        for phrase in phrases:
            assert phrase in text, (form, phrase)
        for login in LOGINS:
            assert login not in text, (form, login)
        assert "Ủy viên tổ kiểm tra" not in text, form
    text, _ = read(
        tracking_book(
            Agency.objects.get(code=COMMUNE_CENTER),
            datetime.date(2026, 11, 16),
            datetime.date(2026, 11, 16),
        )
    )
    assert "Võ Thị Kim Yến, Công chức" in text
    assert not any(login in text for login in LOGINS)


def test_the_refusal_names_the_officer_who_refused(procedures, people, clock, django_user_model):
    named_people(people)
    citizen = django_user_model.objects.create_user("congdan", password="x")
    dossier = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
    )
    act(dossier, "refuse", people["desk"], note="Sai thẩm quyền")
    text, _ = read(FORMS["03"](Dossier.objects.get(pk=dossier.pk)))
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Võ Thị Kim Yến Công chức" in text
    assert "tiepnhan.xa" not in text


def test_an_officer_without_a_full_name_leaves_a_blank(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu")
    text, _ = read(supplement_request(counter_dossier))
    assert "liên hệ với ……………… hoặc" in text
    assert "chuyenvien.xa" not in text


# ------------------------------------------------------------ recording names and titles


def test_staff_provision_records_a_title_for_the_roles_it_gives(agencies):
    user, added = staff_provision(
        username="pct.xa",
        password="Cong-dan-An-Giang-2026",
        agency_code=COMMUNE,
        roles=["leader", "specialist"],
        full_name="Lê Văn Tám",
        title="  Phó Chủ tịch\tỦy ban nhân dân ",
    )
    assert {m.title for m in added} == {"Phó Chủ tịch Ủy ban nhân dân"}
    # Given again without a title, the title stays; with one, it is corrected.
    staff_provision(username="pct.xa", password=None, agency_code=COMMUNE, roles=["leader"])
    assert Membership.objects.get(user=user, role="leader").title == "Phó Chủ tịch Ủy ban nhân dân"
    staff_provision(
        username="pct.xa", password=None, agency_code=COMMUNE, roles=["leader"], title="Chủ tịch"
    )
    titles = dict(Membership.objects.filter(user=user).values_list("role", "title"))
    assert titles == {"leader": "Chủ tịch", "specialist": "Phó Chủ tịch Ủy ban nhân dân"}


@pytest.mark.parametrize("title", ["Phó\x00Chủ tịch", "Chủ tịch\x1b[31m", "x" * 121])
def test_staff_provision_refuses_a_title_that_cannot_be_printed(agencies, title):
    with pytest.raises(StaffAccountError):
        staff_provision(
            username="pct.xa",
            password="Cong-dan-An-Giang-2026",
            agency_code=COMMUNE,
            roles=["leader"],
            title=title,
        )
    assert not Membership.objects.filter(user__username="pct.xa").exists()


def test_agency_upsert_records_the_help_phone_and_keeps_it_when_not_given(agencies):
    def upsert(**extra: Any) -> tuple[Agency, bool]:
        return agency_upsert(
            code=COMMUNE_CENTER,
            name="Trung tâm Phục vụ hành chính công phường Long Xuyên",
            kind="commune_service_center",
            parent_code=COMMUNE,
            province_code=91,
            ward_code=30307,
            valid_from=REFORM_DAY,
            **extra,
        )

    agency, changed = upsert(phone=" 0296 3852 123 ", address="12 Lê Lợi")
    assert changed and (agency.phone, agency.address) == ("0296 3852 123", "12 Lê Lợi")
    agency, changed = upsert()  # a seed run again does not wipe what was recorded
    assert not changed and agency.phone == "0296 3852 123"


def test_the_admin_records_a_title_that_the_slips_then_print(
    client, staff, counter_dossier, people, clock
):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    membership = Membership.objects.get(user=people["specialist"], agency__code=COMMUNE)
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    response = client.post(url, {"active": "on", "title": "Công chức\x07 tư pháp"})
    assert response.status_code == 400  # refused before the form (egov.core.input_guard)
    assert "ký tự điều khiển" in response.content.decode()
    membership.refresh_from_db()
    assert membership.title != "Công chức\x07 tư pháp"
    response = client.post(url, {"active": "on", "title": "Công chức tư pháp - hộ tịch"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.title == "Công chức tư pháp - hộ tịch" and membership.active
    staff_provision(
        username="chuyenvien.xa",
        password=None,
        agency_code=COMMUNE,
        roles=["specialist"],
        full_name="Huỳnh Văn Đức",
    )
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu")
    text, _ = read(supplement_request(counter_dossier))
    assert "liên hệ với Huỳnh Văn Đức, Công chức tư pháp - hộ tịch hoặc" in text


def test_the_admin_adds_a_role_with_its_title(client, staff, agencies):
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    staff("moi", COMMUNE, "specialist")
    response = client.post(
        reverse("admin:orgs_membership_add"),
        {"user": "moi", "agency": agencies[COMMUNE].pk, "role": "leader", "title": "Chủ tịch"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="moi", role="leader").title == "Chủ tịch"


# ------------------------------------------------------------------------------- the demo


def test_the_demo_desks_have_a_help_phone_and_its_officers_a_title():
    desks = [a for a in all_agencies() if a.kind.endswith("service_center")]
    assert desks and all(desk.phone.startswith("0296 3800 ") for desk in desks)
    assert len({desk.phone for desk in desks}) == len(desks)
    assert officer_title("001.03.50.H01", "reception") == "Công chức tiếp nhận và trả kết quả"
    assert officer_title("000.03.50.H01", "leader") == "Phó Chủ tịch Ủy ban nhân dân"
    assert officer_title("000.00.03.H01", "leader") == "Phó Giám đốc"
    assert officer_title("000.00.00.H01", "province_admin") == ""
