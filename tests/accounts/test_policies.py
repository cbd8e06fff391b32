"""Who looks after whose account: nobody reaches, through someone else's password, beyond
their own role."""

import pytest

from egov.accounts.policies import can_create_account, can_manage_account, can_read_accounts
from egov.accounts.selectors import accounts_visible_to
from tests.conftest import CENTER, JUSTICE, PASSWORD, PROVINCE

pytestmark = pytest.mark.django_db


def test_the_province_admin_looks_after_everyone_but_a_superuser(staff, django_user_model):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    peer = staff("quantri2", PROVINCE, "province_admin")
    root = django_user_model.objects.create_superuser("root", "", PASSWORD)
    assert can_manage_account(admin, officer) and can_manage_account(admin, peer)
    assert not can_manage_account(admin, root)
    assert can_manage_account(root, admin) and can_create_account(admin)


def test_an_agency_admin_looks_after_officers_wholly_in_their_agency(staff):
    center_admin = staff("qt.tt", CENTER, "agency_admin")
    own = staff("tiepnhan", CENTER, "reception", "specialist")
    elsewhere = staff("chuyenvien", JUSTICE, "specialist")
    both = staff("kiemnhiem", CENTER, "reception")
    staff("kiemnhiem", JUSTICE, "specialist")
    lifted = staff("thanhtra", CENTER, "reception")
    staff("thanhtra", PROVINCE, "auditor")
    assert can_manage_account(center_admin, own)
    for beyond in (elsewhere, both, lifted):
        assert not can_manage_account(center_admin, beyond), beyond.username
    assert not can_create_account(center_admin)
    visible = set(accounts_visible_to(actor=center_admin).values_list("username", flat=True))
    assert visible == {"qt.tt", "tiepnhan", "kiemnhiem", "thanhtra"}


def test_an_officer_whose_roles_ended_is_the_province_admins(staff):
    from egov.orgs.models import Membership

    center_admin = staff("qt.tt", CENTER, "agency_admin")
    former = staff("cu", CENTER, "reception")
    Membership.objects.filter(user=former).update(active=False)
    assert not can_manage_account(center_admin, former)
    assert can_manage_account(staff("quantri", PROVINCE, "province_admin"), former)


def test_auditors_read_and_officers_do_not(staff):
    auditor = staff("thanhtra", PROVINCE, "auditor")
    officer = staff("tiepnhan", CENTER, "reception")
    assert can_read_accounts(auditor) and not can_manage_account(auditor, officer)
    assert not can_read_accounts(officer) and not can_manage_account(officer, auditor)
    assert not accounts_visible_to(actor=officer).exists()


def test_citizens_are_nobodys_to_list(staff, django_user_model):
    auditor = staff("thanhtra", PROVINCE, "auditor")
    django_user_model.objects.create_user(username="congdan")  # VNeID: no password
    visible = set(accounts_visible_to(actor=auditor).values_list("username", flat=True))
    assert "congdan" not in visible and "thanhtra" in visible
