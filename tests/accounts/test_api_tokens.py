"""API tokens end with the password and the account: a new password (on any path) or a switched
off account revokes them; the officer lists and revokes their own on "Tài khoản của tôi";
administrators revoke those of the accounts they look after, in the admin site."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from egov.accounts.models import ApiToken, RevokeReason
from egov.accounts.services import password_digest
from egov.orgs.services import staff_provision
from tests.accounts.support import api_status, token_for
from tests.conftest import CENTER, JUSTICE, PASSWORD, PROVINCE

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mot-Cua-Moi-2027"
ENDED_BY_PASSWORD = "Hết hiệu lực: mật khẩu đã đổi"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_row(key: str) -> ApiToken:
    return ApiToken.objects.get(prefix=key[:8])


def revoke_url(key: str) -> str:
    return reverse("accounts:api_token_revoke", args=[token_row(key).public_id])


def test_changing_ones_own_password_revokes_the_api_tokens(staff):
    staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    assert api_status(key) == 200
    here = Client()
    here.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert api_status(key) == 401
    page = here.get(reverse("accounts:account")).content.decode()
    assert f"{key[:8]}…" in page and "Đã thu hồi" in page and "(mật khẩu đã đổi)" in page


def test_a_password_set_outside_the_pages_ends_the_tokens_too(staff):
    # `create_staff` with a password for an existing account, `manage.py changepassword`:
    # neither goes through accounts.services, yet the token was issued with the old password.
    staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    staff_provision(
        username="tiepnhan", password=NEW_PASSWORD, agency_code=CENTER, roles=["reception"]
    )
    assert api_status(key) == 401
    assert api_status(token_for("tiepnhan", NEW_PASSWORD)) == 200


def test_a_password_changed_without_a_service_shows_the_token_as_ended(staff):
    # Nothing revokes the row (no service ran), yet the API refuses the token: the officer's
    # list must not call it working, nor offer to revoke it.
    officer = staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    officer.set_password(NEW_PASSWORD)
    officer.save()
    assert token_row(key).revoked_at is None
    assert api_status(key) == 401
    page = signed_in(officer).get(reverse("accounts:account")).content.decode()
    assert f"{key[:8]}…" in page and ENDED_BY_PASSWORD in page
    assert "Đang dùng được" not in page
    assert revoke_url(key) not in page and "Thu hồi tất cả" not in page
    assert not token_row(key).works


def test_the_admin_shows_a_token_ended_by_staff_provision_as_ended(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    old = token_for("tiepnhan")
    staff_provision(
        username="tiepnhan", password=NEW_PASSWORD, agency_code=CENTER, roles=["reception"]
    )
    new = token_for("tiepnhan", NEW_PASSWORD)
    client = signed_in(admin)
    change = client.get(reverse("admin:auth_user_change", args=[officer.pk])).content.decode()
    assert change.count(ENDED_BY_PASSWORD) == 1 and change.count("Đang dùng được") == 1
    assert admin_revoke_url(officer, old) not in change
    assert admin_revoke_url(officer, new) in change
    # Nothing left to revoke in it: the page that asks says so, and a POST changes nothing.
    asks = client.get(admin_revoke_url(officer, old)).content.decode()
    assert "Mã này không còn dùng được" in asks
    client.post(admin_revoke_url(officer, old))
    assert token_row(old).revoked_at is None
    assert api_status(old) == 401 and api_status(new) == 200


class UpgradedHasher(MD5PasswordHasher):
    """A hasher the site prefers after an upgrade: Django re-hashes at the next sign-in."""

    algorithm = "md5_upgraded"


def test_a_rehash_after_a_hasher_upgrade_ends_the_tokens_as_accepted(staff, settings):
    # Documented on ApiToken and services.password_digest: the stored hash changes, so the
    # account's tokens end (they last MOTCUA_API_TOKEN_HOURS at most anyway).
    officer = staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    settings.PASSWORD_HASHERS = [
        f"{__name__}.UpgradedHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    here = Client()
    here.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    officer.refresh_from_db()
    assert officer.password.startswith("md5_upgraded$")
    assert api_status(key) == 401
    page = here.get(reverse("accounts:account")).content.decode()
    assert f"{key[:8]}…" in page and ENDED_BY_PASSWORD in page
    assert api_status(token_for("tiepnhan")) == 200  # a new sign-in gets one that works


def test_switching_an_account_off_in_the_admin_revokes_its_tokens(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    answer = signed_in(admin).post(
        reverse("admin:auth_user_change", args=[officer.pk]), {"first_name": "Trần Thị Hân"}
    )  # the box "Đang hoạt động" not ticked
    assert answer.status_code == 302
    assert api_status(key) == 401
    token = token_row(key)
    assert (token.revoke_reason, token.revoked_by) == (RevokeReason.DEACTIVATED, admin)


def test_an_inactive_accounts_token_is_refused_whatever_switched_it_off(staff, django_user_model):
    staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    django_user_model.objects.filter(username="tiepnhan").update(is_active=False)
    assert token_row(key).revoked_at is None  # no service ran: the row is as it was
    assert api_status(key) == 401


def test_an_officer_lists_and_revokes_their_own_tokens(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    first, second = token_for("tiepnhan"), token_for("tiepnhan")
    client = signed_in(officer)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Mã truy cập API" in page
    assert f"{first[:8]}…" in page and f"{second[:8]}…" in page
    assert first not in page and second not in page  # the secret is never shown
    assert page.count("Đang dùng được") == 2 and "Thu hồi tất cả" in page
    assert 'data-confirm="Thu hồi mã' in page

    answer = client.post(revoke_url(first))
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert f"Đã thu hồi mã truy cập API {first[:8]}…" in page
    assert "(chủ tài khoản thu hồi)" in page
    assert api_status(first) == 401
    assert api_status(second) == 200

    answer = client.post(reverse("accounts:api_tokens_revoke_all"))
    assert "Đã thu hồi 1 mã truy cập API." in client.get(answer["Location"]).content.decode()
    assert api_status(second) == 401
    assert "Thu hồi tất cả" not in client.get(reverse("accounts:account")).content.decode()


def test_expired_tokens_are_marked_and_offer_no_revoking(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    page = signed_in(officer).get(reverse("accounts:account")).content.decode()
    assert f"{key[:8]}…" in page and "Đã hết hạn" in page
    assert revoke_url(key) not in page and "Thu hồi tất cả" not in page


def test_an_officer_cannot_revoke_another_officers_token(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    staff("chuyenvien", JUSTICE, "specialist")
    theirs = token_for("chuyenvien")
    client = signed_in(officer)
    assert client.post(revoke_url(theirs)).status_code == 404
    assert client.get(revoke_url(theirs)).status_code == 405  # a link cannot revoke
    assert client.post(reverse("accounts:api_tokens_revoke_all")).status_code == 302
    assert api_status(theirs) == 200
    hostile = "/tai-khoan/ma-truy-cap/1%00'%3B--/thu-hoi/"
    assert 400 <= client.post(hostile).status_code < 500


def test_an_administrator_cannot_revoke_anothers_token_through_the_officer_page(staff):
    # The admin site may revoke it (and logs it); "Tài khoản của tôi" is only one's own.
    admin = staff("quantri", PROVINCE, "province_admin")
    staff("tiepnhan", CENTER, "reception")
    theirs = token_for("tiepnhan")
    assert signed_in(admin).post(revoke_url(theirs)).status_code == 404
    assert token_row(theirs).revoked_at is None
    assert api_status(theirs) == 200


def admin_revoke_url(account, key: str | None = None) -> str:
    if key is None:
        return reverse("admin:auth_user_api_tokens_revoke", args=[account.pk])
    return reverse("admin:auth_user_api_token_revoke", args=[account.pk, token_row(key).public_id])


def test_the_administrator_revokes_an_officers_tokens_in_the_admin(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    first, second, third = (token_for("tiepnhan") for _ in range(3))
    client = signed_in(admin)
    change = client.get(reverse("admin:auth_user_change", args=[officer.pk])).content.decode()
    assert f"{first[:8]}…" in change and first not in change
    assert admin_revoke_url(officer, first) in change

    asks = client.get(admin_revoke_url(officer, first)).content.decode()
    assert "Thu hồi mã truy cập API của tiepnhan" in asks and f"{first[:8]}…" in asks
    assert api_status(first) == 200  # asking revokes nothing
    answer = client.post(admin_revoke_url(officer, first))
    assert answer.status_code == 302
    assert api_status(first) == 401 and api_status(second) == 200
    token = token_row(first)
    assert (token.revoke_reason, token.revoked_by) == (RevokeReason.ADMINISTRATOR, admin)
    assert LogEntry.objects.filter(object_id=str(officer.pk)).exists()

    client.post(admin_revoke_url(officer))
    assert api_status(second) == 401 and api_status(third) == 401


def test_the_list_action_revokes_every_token_of_the_chosen_accounts(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    other = staff("chuyenvien", JUSTICE, "specialist")
    mine, theirs = token_for("tiepnhan"), token_for("chuyenvien")
    answer = signed_in(admin).post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [officer.pk, other.pk]},
        follow=True,
    )
    assert "Đã thu hồi 2 mã truy cập API." in answer.content.decode()
    assert api_status(mine) == 401 and api_status(theirs) == 401


def test_administrators_revoke_only_the_accounts_they_look_after(staff):
    center_admin = staff("quantri.tt", CENTER, "agency_admin")
    auditor = staff("thanhtra", PROVINCE, "auditor")
    own = staff("tiepnhan", CENTER, "reception")
    other = staff("chuyenvien", JUSTICE, "specialist")
    own_key, other_key = token_for("tiepnhan"), token_for("chuyenvien")

    client = signed_in(center_admin)
    assert client.post(admin_revoke_url(other, other_key)).status_code == 404  # not listed
    # Their own officer's account, with another account's token in the address.
    wrong = reverse(
        "admin:auth_user_api_token_revoke", args=[own.pk, token_row(other_key).public_id]
    )
    assert client.post(wrong).status_code == 404
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [other.pk]},
    )
    assert api_status(other_key) == 200

    reader = signed_in(auditor)
    change = reader.get(reverse("admin:auth_user_change", args=[own.pk])).content.decode()
    assert f"{own_key[:8]}…" in change and admin_revoke_url(own, own_key) not in change
    assert reader.post(admin_revoke_url(own, own_key)).status_code == 403
    assert reader.post(admin_revoke_url(own)).status_code == 403
    assert api_status(own_key) == 200

    assert client.post(admin_revoke_url(own, own_key)).status_code == 302
    assert api_status(own_key) == 401


def _tokens(user, count: int, start: int) -> None:
    """Tokens that work (issued with the current password), the oldest first."""
    expires = timezone.now() + datetime.timedelta(hours=8)
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user,
            key_hash=f"{n:064d}",
            prefix=f"{n:08d}",
            password_digest=password_digest(user),
            expires_at=expires,
        )
        for n in range(start, start + count)
    )


def test_the_account_page_costs_the_same_for_two_tokens_or_sixty(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    client = signed_in(officer)
    _tokens(officer, 2, 0)
    client.get(reverse("accounts:account"))  # the process caches the officer's roles
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accounts:account")).status_code == 200
    _tokens(officer, 58, 2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("accounts:account")).content.decode()
    assert len(many) == len(few)
    assert page.count("Đang dùng được") == 50  # the newest fifty


def test_the_admins_list_of_tokens_costs_the_same_for_two_or_sixty(staff):
    admin = staff("quantri", PROVINCE, "province_admin")
    officer = staff("tiepnhan", CENTER, "reception")
    client = signed_in(admin)
    url = reverse("admin:auth_user_change", args=[officer.pk])
    _tokens(officer, 2, 0)
    client.get(url)  # the process caches the administrator's roles
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _tokens(officer, 58, 2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("Đang dùng được") == 50


def test_a_token_works_until_it_expires_and_records_its_use_once_a_minute(staff):
    staff("tiepnhan", CENTER, "reception")
    key = token_for("tiepnhan")
    assert token_row(key).last_used_at is None
    assert api_status(key) == 200
    first = token_row(key).last_used_at
    assert first is not None
    assert api_status(key) == 200
    assert token_row(key).last_used_at == first  # within the minute: not written again
    ApiToken.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    assert api_status(key) == 200
    assert token_row(key).last_used_at > first - datetime.timedelta(minutes=1)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api_status(key) == 401
    ApiToken.objects.update(expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert api_status(key) == 200
    staff_user = token_row(key).user
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    assert api_status(key) == 401
