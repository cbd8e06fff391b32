"""The page "Quên mật khẩu": a link by e-mail that works once and not for long, the same
answer whether or not the address has an account, and a new password that ends every other
session."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse

from egov.accounts.models import ApiToken, RevokeReason
from tests.accounts.support import api_status, token_for
from tests.conftest import CENTER, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mot-Cua-Moi-2027"
ADDRESS = "han.tran@angiang.gov.vn"


@pytest.fixture(autouse=True)
def public_url(settings):
    """The links in the mail lead to the site's public address (the test client's here)."""
    settings.MOTCUA_PUBLIC_URL = "http://testserver"


def officer_with_address(staff):
    """The centre's reception officer, with the address a reset link goes to."""
    user = staff("tiepnhan", CENTER, "reception")
    user.email = ADDRESS
    user.first_name = "Trần Thị Ngọc Hân"
    user.save(update_fields=["email", "first_name"])
    return user


@pytest.fixture
def officer(staff):
    return officer_with_address(staff)


def ask(client, email: str):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_page_asks_for_the_address_and_explains_the_administrator_route(client):
    html = client.get(reverse("accounts:password_reset")).content.decode()
    assert "<title>Quên mật khẩu · " in html
    assert "Thư điện tử của tài khoản" in html
    assert "Tài khoản không có thư điện tử?" in html and "quản trị" in html


def test_the_mail_is_vietnamese_and_its_link_sets_a_new_password(client, officer):
    answer = ask(client, ADDRESS)
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "accounts:password_reset_done"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    assert message.subject.startswith("Đặt lại mật khẩu tài khoản tiepnhan · ")
    assert "Kính gửi Trần Thị Ngọc Hân," in message.body
    assert "trong vòng 60 phút" in message.body and "chỉ dùng được một lần" in message.body
    link = link_in(message)
    assert link.startswith("http://testserver/dang-nhap/dat-lai/")

    opened = client.get(link)  # the token moves to the session, out of the address bar
    assert opened.status_code == 302 and "mat-khau-moi" in opened["Location"]
    form = client.get(opened["Location"]).content.decode()
    assert "Đặt mật khẩu mới" in form and "tiepnhan" in form
    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == reverse(
        "accounts:password_reset_complete"
    )
    assert "Đã đặt mật khẩu mới" in client.get(done["Location"]).content.decode()

    fresh = Client()
    refused = fresh.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    assert "_auth_user_id" not in fresh.session and refused.status_code == 200
    fresh.post(reverse("accounts:login"), {"username": "tiepnhan", "password": NEW_PASSWORD})
    assert fresh.session["_auth_user_id"] == str(officer.pk)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, officer):
    known = ask(client, ADDRESS)
    unknown = ask(Client(), "ai.do@example.vn")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1  # the known address's mail only
    page = client.get(unknown["Location"]).content.decode()
    assert "Nếu địa chỉ vừa nhập là thư điện tử của một tài khoản cán bộ" in page


def test_the_address_is_matched_whatever_its_letter_case(client, officer):
    ask(client, ADDRESS.upper())
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


def test_citizens_and_switched_off_accounts_get_no_mail(client, officer, django_user_model):
    django_user_model.objects.create_user(username="congdan", email="dan@example.vn")
    ask(client, "dan@example.vn")  # a VNeID citizen: no password to reset
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    ask(client, ADDRESS)
    assert mail.outbox == []


def test_the_link_works_once(client, officer):
    ask(client, ADDRESS)
    link = link_in(mail.outbox[0])
    form = client.get(link)["Location"]
    client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link)
    assert again.status_code == 200
    html = again.content.decode()
    assert "Đường dẫn không còn dùng được" in html and 'name="new_password1"' not in html


def test_the_link_expires(client, officer, settings, monkeypatch):
    ask(client, ADDRESS)
    link = link_in(mail.outbox[0])
    # Django's token generator counts in naive local time.
    later = datetime.datetime.now() + datetime.timedelta(  # noqa: DTZ005
        seconds=settings.PASSWORD_RESET_TIMEOUT + 1
    )
    monkeypatch.setattr(type(default_token_generator), "_now", lambda self: later)
    html = client.get(link).content.decode()
    assert "Đường dẫn không còn dùng được" in html and "đã quá 60 phút" in html


def test_a_new_password_ends_the_other_sessions_and_api_tokens(client, officer):
    elsewhere = Client()
    elsewhere.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    assert elsewhere.get(reverse("desk:worklist")).status_code == 200
    key = token_for("tiepnhan")
    assert api_status(key) == 200

    ask(client, ADDRESS)
    form = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    answer = elsewhere.get(reverse("desk:worklist"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:login"))
    assert api_status(key) == 401
    token = ApiToken.objects.get(user=officer)  # kept, revoked: when and why
    assert token.revoked_at is not None and token.revoke_reason == RevokeReason.PASSWORD


def test_a_refused_new_password_is_said_plainly_and_changes_nothing(client, officer):
    ask(client, ADDRESS)
    form = client.get(link_in(mail.outbox[0]))["Location"]
    short = client.post(form, {"new_password1": "ab1", "new_password2": "ab1"})
    html = short.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in html
    assert "This password" not in html
    assert 'aria-describedby="id_new_password1_helptext id_new_password1_error"' in html
    mismatch = client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": "khac-han-1"})
    assert "Hai lần nhập mật khẩu mới không khớp nhau." in mismatch.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_a_mistyped_address_is_refused_in_vietnamese(client):
    for typed, message in [
        ("", "Hãy nhập địa chỉ thư điện tử."),
        ("khong-phai-thu", "Địa chỉ thư điện tử chưa đúng dạng"),
        ("a" * 300 + "@x.vn", "Địa chỉ thư điện tử dài quá 254 ký tự"),
    ]:
        answer = ask(client, typed)
        assert answer.status_code == 200
        assert message in answer.content.decode(), typed
    # A control character is refused before the form (egov.core.input_guard).
    answer = ask(client, "ai\x00do@example.vn")
    assert answer.status_code == 400 and "ký tự điều khiển" in answer.content.decode()
    assert mail.outbox == []


def test_one_client_asking_too_often_is_refused(client, officer, settings):
    settings.MOTCUA_PASSWORD_RESET_CLIENT_RATE = "2/h"
    assert ask(client, ADDRESS).status_code == 302
    assert ask(client, "ai.do@example.vn").status_code == 302
    refused = ask(client, ADDRESS)
    assert refused.status_code == 429
    assert "Bạn đã yêu cầu quá nhiều lần" in refused.content.decode()
    assert len(mail.outbox) == 1


def test_an_address_gets_so_many_links_from_wherever_asked(officer, settings):
    """Many clients cannot fill an officer's inbox; past the limit the page answers as ever
    (nothing tells whether the address has an account) and sends nothing."""
    settings.MOTCUA_PASSWORD_RESET_RATE = "2/h"
    answers = [
        ask(Client(REMOTE_ADDR=f"203.0.113.{n}"), ADDRESS.upper() if n % 2 else ADDRESS)
        for n in range(1, 6)
    ]
    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == 2


def test_the_link_is_on_the_sites_public_address_not_the_asking_host(client, officer, settings):
    settings.MOTCUA_PUBLIC_URL = "https://motcua.angiang.gov.vn"
    client.post(reverse("accounts:password_reset"), {"email": ADDRESS}, HTTP_HOST="localhost")
    assert link_in(mail.outbox[0]).startswith("https://motcua.angiang.gov.vn/dang-nhap/dat-lai/")


def test_a_locked_out_officer_signs_in_after_resetting(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": "sai"})
    ask(client, ADDRESS)
    form = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    signed = client.post(
        reverse("accounts:login"), {"username": "tiepnhan", "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302
