"""Which channels a notice goes by: the person's choice, or the default; numbers and
addresses people typed, hostile ones included."""

import pytest

from egov.notifications.addresses import email_address, mobile_number, phone_display
from egov.notifications.models import NotificationPreference
from egov.notifications.selectors import notification_channels
from egov.notifications.services import Recipient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0912345678", "84912345678"),
        ("0912 345 678", "84912345678"),
        ("+84 912.345.678", "84912345678"),
        ("84-38-123-4567", "84381234567"),
        ("(035) 123 4567", "84351234567"),
    ],
)
def test_a_vietnamese_mobile_number_as_people_write_it(typed, number):
    assert mobile_number(typed) == number
    assert phone_display(typed) == f"0{number[2:5]} {number[5:8]} {number[8:]}"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "091234567a",  # a letter
        "O912345678",  # the letter O for a zero
        "０９１２３４５６７８",  # full-width digits
        "02963123456",  # a landline cannot take an SMS
        "0112345678",  # no such network
        "+14155550100",  # a foreign number
        "09123456789",  # one digit too many
        "091234567",
        "0912345678\n0987654321",  # two numbers, or a header trick
        "0912345678; DROP TABLE",
        "9" * 10_000,
    ],
)
def test_anything_else_is_no_mobile_number(typed):
    assert mobile_number(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["", "tuyet", "tuyet@", "a@b", "tuyet@example.vn\nBcc: x@y.vn", "x" * 250 + "@example.vn"],
)
def test_unusable_addresses(typed):
    assert email_address(typed) is None


def test_addresses_are_trimmed():
    assert email_address("  tuyet@example.vn ") == "tuyet@example.vn"


def channels(**recipient):
    return [(d.channel, d.to) for d in notification_channels(recipient=Recipient(**recipient))]


def test_without_a_choice_sms_when_a_mobile_number_and_email_when_an_address():
    both = channels(name="Tuyết", phone="0912 345 678", email="tuyet@example.vn")
    assert both == [("sms", "84912345678"), ("email", "tuyet@example.vn")]
    assert channels(name="Tuyết", phone="0912345678") == [("sms", "84912345678")]
    assert channels(name="Tuyết", email="tuyet@example.vn") == [("email", "tuyet@example.vn")]
    # Zalo only when chosen; a landline or nonsense counts as no number.
    assert channels(name="Tuyết", phone="02963 123 456", email="x") == []
    assert channels(name="Tuyết") == []


def test_a_citizens_choice_applies(citizen):
    me = {"name": "Tuyết", "phone": "0912345678", "email": "tuyet@example.vn"}
    assert channels(**me, user_id=citizen.pk) == [("sms", "84912345678"), ("email", me["email"])]
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=True)
    assert channels(**me, user_id=citizen.pk) == [
        ("zalo", "84912345678"),
        ("email", "tuyet@example.vn"),
    ]
    # Someone else's choice is not theirs: without an account, the default.
    assert channels(**me) == [("sms", "84912345678"), ("email", "tuyet@example.vn")]


def test_a_choice_that_reaches_nobody_falls_back_to_the_default(citizen):
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=False)
    # Zalo chosen, and no mobile number: the e-mail they have still tells them.
    assert channels(name="Tuyết", email="tuyet@example.vn", user_id=citizen.pk) == [
        ("email", "tuyet@example.vn")
    ]


def test_a_person_who_chose_nothing_is_told_nothing(citizen):
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=False, email=False)
    assert channels(name="Tuyết", phone="0912345678", user_id=citizen.pk) == []


def test_a_channel_the_province_cannot_send_by_is_never_chosen(citizen, settings):
    settings.MOTCUA_LGSP_SYSTEMS = {
        **settings.MOTCUA_LGSP_SYSTEMS,
        "sms": {"url": "", "api_key": ""},
    }
    settings.MOTCUA_ZALO_TEMPLATE_ID = ""
    me = {"name": "Tuyết", "phone": "0912345678", "email": "tuyet@example.vn"}
    assert channels(**me) == [("email", "tuyet@example.vn")]
    assert channels(name="Tuyết", phone="0912345678") == []  # no row to wait for ever
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=False)
    # Zalo chosen but not offered: the default, as far as it goes.
    assert channels(**me, user_id=citizen.pk) == [("email", "tuyet@example.vn")]
