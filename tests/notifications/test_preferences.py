"""A citizen chooses how they are told, at /tai-khoan/thong-bao/: their e-identity's phone
and e-mail shown, a choice that cannot reach them refused with a message, staff kept out."""

import re

import pytest
from django.urls import reverse

from egov.notifications.models import NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]

PAGE = "/tai-khoan/thong-bao/"


def test_the_page_is_where_the_contract_says():
    assert reverse("notifications:preferences") == PAGE
    assert reverse("notifications:list") == "/can-bo/thong-bao/"  # the staff's still works


def test_signed_out_people_are_sent_to_sign_in_and_staff_are_kept_out(client, people):
    answer = client.get(PAGE)
    assert answer.status_code == 302
    assert (
        answer["Location"].startswith("/dang-nhap/")
        and "next=/tai-khoan/thong-bao/" in (answer["Location"])
    )
    client.force_login(people["desk"])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"sms": "1"}).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_a_citizen_sees_where_each_channel_reaches_them(client, citizen, identity):
    identity(citizen, phone="0912345678", email="tuyet@example.vn")
    client.force_login(citizen)
    html = client.get(PAGE).content.decode()
    assert "<h1>Cách nhận thông báo</h1>" in html
    assert "Tin nhắn gửi đến số 0912 345 678." in html
    assert "Tin Zalo gửi đến tài khoản Zalo của số 0912 345 678" in html
    assert "Thư gửi đến tuyet@example.vn." in html
    assert "Ông/bà chưa chọn cách nhận" in html
    # The default as it applies to them: SMS and e-mail ticked, Zalo not.
    assert 'id="kenh-sms" name="sms" value="1" checked' in html
    assert 'id="kenh-email" name="email" value="1" checked' in html
    assert re.search(r'name="zalo" value="1"\s+aria-describedby="kenh-zalo-goi-y"', html)
    assert 'aria-describedby="kenh-sms-goi-y"' in html


def test_a_citizen_chooses_and_the_choice_stays(client, citizen, identity):
    identity(citizen, phone="0912 345 678", email="tuyet@example.vn")
    client.force_login(citizen)
    answer = client.post(PAGE, {"zalo": "1", "email": "1"}, follow=True)
    assert answer.redirect_chain == [(PAGE, 302)]
    html = answer.content.decode()
    assert "Đã lưu cách nhận thông báo." in html
    assert 'name="zalo" value="1" checked' in html and 'name="sms" value="1" checked' not in html
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.sms, preference.zalo, preference.email) == (False, True, True)
    # Choosing nothing is allowed, with a word of warning.
    html = client.post(PAGE, {}, follow=True).content.decode()
    assert "Ông/bà đang không nhận thông báo nào." in html
    preference.refresh_from_db()
    assert (preference.sms, preference.zalo, preference.email) == (False, False, False)


def test_a_channel_that_cannot_reach_them_is_refused_with_a_message(client, citizen, identity):
    identity(citizen, phone="02963 123 456", email="")  # a landline, no e-mail
    client.force_login(citizen)
    html = client.get(PAGE).content.decode()
    assert "chưa có số điện thoại di động" in html and "chưa có địa chỉ thư điện tử" in html
    assert 'value="1" checked' not in html  # nothing can reach them by default
    answer = client.post(PAGE, {"sms": "1", "email": "1"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    assert '<a href="#kenh-sms">Tài khoản của ông/bà chưa có số điện thoại di động' in html
    assert '<a href="#kenh-email">Tài khoản của ông/bà chưa có địa chỉ thư điện tử.</a>' in html
    assert "<title>Lỗi: Cách nhận thông báo" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="kenh-sms-loi kenh-sms-goi-y"' in html
    # What they ticked stays ticked, and nothing is saved.
    assert 'name="sms" value="1" checked' in html
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize(
    "form",
    [
        {"sms": "<script>alert(1)</script>", "zalo": "false"},
        {"sms": "1" * 100_000, "email": "x", "khac": "x"},
        {"sms": ["1", "0", "1"]},
    ],
)
def test_hostile_answers_never_break_the_page(client, citizen, identity, form):
    identity(citizen, phone="0912345678", email="tuyet@example.vn")
    client.force_login(citizen)
    answer = client.post(PAGE, form)
    assert answer.status_code == 302
    preference = NotificationPreference.objects.get(user=citizen)
    assert preference.sms and not preference.zalo
    assert "<script>" not in client.get(PAGE).content.decode()


def test_only_the_channels_the_province_sends_by_are_offered(client, citizen, identity, settings):
    settings.MOTCUA_ZALO_TEMPLATE_ID = ""
    identity(citizen, phone="0912345678", email="tuyet@example.vn")
    client.force_login(citizen)
    html = client.get(PAGE).content.decode()
    assert 'name="sms"' in html and 'name="email"' in html and 'name="zalo"' not in html
    assert client.post(PAGE, {"zalo": "1", "email": "1"}).status_code == 302
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.sms, preference.zalo, preference.email) == (False, False, True)


def test_other_methods_are_refused(client, citizen):
    client.force_login(citizen)
    assert client.put(PAGE).status_code == 405
    assert client.delete(PAGE).status_code == 405


def test_the_page_costs_few_queries(client, citizen, identity, django_assert_max_num_queries):
    identity(citizen, phone="0912345678", email="tuyet@example.vn")
    client.force_login(citizen)
    client.get(PAGE)
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


def test_the_real_e_identity_gives_the_phone_and_email(client, citizen, clock):
    """With the accounts app's `CitizenIdentity` (built beside this app), its phone and
    e-mail are what the page shows and where the notices go."""
    models = pytest.importorskip("egov.accounts.models")
    if not hasattr(models, "CitizenIdentity"):
        pytest.skip("the accounts app has no CitizenIdentity yet")
    models.CitizenIdentity.objects.create(
        user=citizen,
        subject="vneid-sub-1",
        level=2,
        id_number="089301000123",
        full_name="Nguyễn Thị Ánh Tuyết",
        phone="0987 654 321",
        email="tuyet@vneid.example.vn",
        last_sign_in=clock.now,
    )
    client.force_login(citizen)
    html = client.get(PAGE).content.decode()
    assert "Tin nhắn gửi đến số 0987 654 321." in html
    assert "Thư gửi đến tuyet@vneid.example.vn." in html
