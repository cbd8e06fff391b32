"""The admin site's staff accounts: the province's administrator sets a new password for an
officer with no e-mail address (in Vietnamese, ending the officer's sessions); an agency
administrator only for their own agency's officers; nobody for a superuser but a superuser;
citizens are never listed."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import CENTER, JUSTICE, PASSWORD, PROVINCE

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mat-Khau-Tam-2027"


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def test_the_province_admin_sets_an_officers_password_in_vietnamese(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    client = admin_client(admin)
    elsewhere = Client()
    elsewhere.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})

    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:auth_user_changelist") in index
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "tiepnhan" in listing
    change = client.get(reverse("admin:auth_user_change", args=[officer.pk])).content.decode()
    assert password_url(officer).split("/quan-tri")[1].split("password")[0] in change
    assert "is_superuser" not in change and "user_permissions" not in change

    page = client.get(password_url(officer)).content.decode()
    assert "Đặt mật khẩu mới cho tiepnhan" in page
    assert "Nhập lại mật khẩu mới" in page
    assert 'name="usable_password"' not in page and "password-based" not in page.lower()
    refused = client.post(password_url(officer), {"password1": "abc", "password2": "abc"})
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in refused.content.decode()
    done = client.post(
        password_url(officer), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    ended = elsewhere.get(reverse("desk:worklist"))
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("accounts:login"))


def test_the_province_admin_switches_an_account_off(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    officer.first_name = "Trần Thị Hân"
    officer.save(update_fields=["first_name"])
    url = reverse("admin:auth_user_change", args=[officer.pk])
    answer = admin_client(admin).post(
        url, {"first_name": "Trần Thị Ngọc Hân", "email": "han@angiang.gov.vn"}
    )
    assert answer.status_code == 302
    officer.refresh_from_db()
    assert (officer.first_name, officer.email, officer.is_active) == (
        "Trần Thị Ngọc Hân",
        "han@angiang.gov.vn",
        False,  # the box was not ticked
    )
    assert officer.username == "tiepnhan"


def test_the_province_admin_cannot_touch_a_superuser(staff, django_user_model):
    admin = staff("quantri", PROVINCE, "province_admin")
    root = django_user_model.objects.create_superuser("root", "root@example.vn", PASSWORD)
    client = admin_client(admin)
    assert client.get(password_url(root)).status_code == 403
    client.post(password_url(root), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_an_agency_admin_looks_after_their_own_agency_only(staff):
    center_admin = staff("quantri.tt", CENTER, "agency_admin")
    own = staff("tiepnhan", CENTER, "reception")
    other = staff("chuyenvien", JUSTICE, "specialist")
    both = staff("kiemnhiem", CENTER, "reception")
    staff("kiemnhiem", JUSTICE, "specialist")  # also works elsewhere: not theirs alone
    province = staff("quantri", PROVINCE, "province_admin")
    client = admin_client(center_admin)

    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "tiepnhan" in listing and "chuyenvien" not in listing
    assert client.get(password_url(own)).status_code == 200
    assert client.get(password_url(other)).status_code == 404  # not even listed
    for beyond in (both, province):
        client.post(password_url(beyond), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        beyond.refresh_from_db()
        assert beyond.check_password(PASSWORD), beyond.username


def test_auditors_read_and_change_nothing(staff):
    auditor = staff("thanhtra", PROVINCE, "auditor")
    officer = staff("tiepnhan", CENTER, "reception")
    client = admin_client(auditor)
    assert "tiepnhan" in client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert client.get(password_url(officer)).status_code == 403
    client.post(
        reverse("admin:auth_user_change", args=[officer.pk]),
        {"first_name": "Đổi tên", "is_active": ""},
    )
    officer.refresh_from_db()
    assert officer.is_active and officer.first_name != "Đổi tên"


def test_citizens_are_not_listed(staff, django_user_model):
    admin = staff("quantri", PROVINCE, "province_admin")
    django_user_model.objects.create_user(username="congdan.0001")  # VNeID: no password
    listing = admin_client(admin).get(reverse("admin:auth_user_changelist")).content.decode()
    assert "congdan.0001" not in listing


def test_officers_without_an_admin_role_are_kept_out(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    client = admin_client(officer)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302
    assert client.get(password_url(officer)).status_code == 302


def test_the_province_admin_creates_an_account_with_a_password(staff, django_user_model):
    admin = staff("quantri", PROVINCE, "province_admin")
    client = admin_client(admin)
    page = client.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="usable_password"' not in page
    answer = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "tiepnhan.moi",
            "first_name": "Lê Văn Mới",
            "email": "moi@angiang.gov.vn",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 302
    created = django_user_model.objects.get(username="tiepnhan.moi")
    assert created.check_password(NEW_PASSWORD) and created.first_name == "Lê Văn Mới"
    assert not created.is_staff and not created.is_superuser


def _accounts(django_user_model, agency, count: int, start: int) -> None:
    from django.contrib.auth.hashers import make_password

    from egov.orgs.models import Membership

    password = make_password(PASSWORD)
    users = django_user_model.objects.bulk_create(
        django_user_model(username=f"canbo{n:04d}", first_name=f"Cán bộ {n}", password=password)
        for n in range(start, start + count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency, role="reception") for user in users
    )


def test_the_list_costs_the_same_for_ten_accounts_or_a_thousand(
    staff, agencies, django_user_model, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client(staff("quantri.tt", CENTER, "agency_admin"))
    url = reverse("admin:auth_user_changelist")
    _accounts(django_user_model, agencies[CENTER], 10, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _accounts(django_user_model, agencies[CENTER], 990, 10)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url + "?p=2").content.decode()
    assert "canbo0" in page
