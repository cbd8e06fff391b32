"""The citizen's pages (/dat-lich/) and the counter's (/can-bo/lich-hen/)."""

import re

import pytest
from django.urls import reverse

from egov.accounts.models import CitizenIdentity
from egov.appointments import views
from egov.appointments.models import Appointment, AppointmentStatus, DeskSchedule
from egov.appointments.services import appointment_arrive
from egov.interop.models import OutboxMessage
from tests.appointments.conftest import at, book, other
from tests.conftest import CENTER, COMMUNE_CENTER

pytestmark = pytest.mark.django_db

DETAILS = {"full_name": "Nguyễn Thị Ánh Tuyết", "phone": "0912 345 678", "email": ""}


def html(response):
    return response.content.decode()


def walk_to_check(client, *, day="2026-11-17", time="07:30"):
    """The booking steps as a person takes them, up to the check page."""
    assert (
        client.post(reverse("appointments:procedure"), {"procedure": "1.001193"}).status_code == 302
    )
    assert client.post(reverse("appointments:desk"), {"desk": COMMUNE_CENTER}).status_code == 302
    assert client.post(reverse("appointments:day"), {"ngay": day}).status_code == 302
    assert client.post(reverse("appointments:time"), {"gio": time}).status_code == 302
    response = client.post(reverse("appointments:details"), DETAILS)
    assert response.status_code == 302 and response["Location"] == reverse("appointments:check")


def test_booking_from_start_to_the_link(client, procedures, desk, clock):
    start = client.get(reverse("appointments:start"))
    assert start.status_code == 200 and "Đặt lịch hẹn" in html(start)
    found = client.get(reverse("appointments:procedure"), {"q": "khai sinh"})
    assert 'value="1.001193"' in html(found)
    walk_to_check(client)
    check = client.get(reverse("appointments:check"))
    page = html(check)
    assert "Kiểm tra lại" in page and "Thứ Ba, 17/11/2026" in page and "07:30" in page
    assert page.count("Thay đổi") == 8
    done = client.post(reverse("appointments:check"))
    appointment = Appointment.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("appointments:manage", args=[appointment.token])
    manage = html(client.get(done["Location"]))
    assert "Đã đặt lịch hẹn" in manage and f"/dat-lich/{appointment.token}/" in manage
    assert "0912•••678" in manage and "0912345678" not in manage
    assert 'name="robots" content="noindex' in manage
    # The link is shown once as "just booked"; later it is the appointment's page.
    assert "Đã đặt lịch hẹn</h1>" not in html(client.get(done["Location"]))
    assert OutboxMessage.objects.filter(idempotency_key__contains=appointment.uuid.hex).exists()


def test_the_procedure_page_starts_with_the_procedure(client, procedures, desk, clock):
    response = client.get(reverse("appointments:start"), {"thu_tuc": "1.001193"})
    assert response.status_code == 302 and response["Location"] == reverse("appointments:desk")
    desks = html(client.get(response["Location"]))
    assert "Trung tâm Phục vụ hành chính công tỉnh An Giang" in desks
    assert "Trung tâm Phục vụ hành chính công phường Long Xuyên" in desks
    assert "Sở Tư pháp" not in desks  # not a desk


def test_days_and_slots_show_the_places_left(client, procedures, desk, clock):
    book(starts_at=at(17, 7, 30), person=other("0911111111"))
    walk_to_check(client)
    days = html(client.get(reverse("appointments:day")))
    assert "Thứ Hai, 16/11/2026" in days  # today still has slots ahead
    assert "21/11/2026" not in days and "24/11/2026" not in days  # weekend, day off
    assert "còn 31 chỗ" in days  # Tuesday: 16 slots of 2, one place taken
    slots = html(client.get(reverse("appointments:time")))
    assert "Buổi sáng" in slots and "Buổi chiều" in slots
    assert re.search(r"07:30–08:00</span>\s*<span class=\"places\">còn 1 chỗ", slots)
    assert "còn 2 chỗ" in slots


def test_a_full_slot_is_shown_and_refused(client, procedures, desk, clock):
    for phone in ("0911111111", "0922222222"):
        book(starts_at=at(17, 9), person=other(phone))
    walk_to_check(client, time="08:00")
    slots = html(client.get(reverse("appointments:time")))
    assert re.search(r'value="09:00" disabled', slots) and "hết chỗ" in slots
    refused = client.post(reverse("appointments:time"), {"gio": "09:00"})
    assert refused.status_code == 409 and "hết chỗ" in html(refused)
    assert 'class="error-summary"' in html(refused)


def test_the_slot_taken_meanwhile_is_a_conflict_on_the_check_page(client, procedures, desk, clock):
    walk_to_check(client, time="09:00")
    for phone in ("0911111111", "0922222222"):
        book(starts_at=at(17, 9), person=other(phone))
    response = client.post(reverse("appointments:check"))
    assert response.status_code == 409
    page = html(response)
    assert "hết chỗ" in page and f'href="{reverse("appointments:time")}"' in page
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    ("url", "data", "status", "message"),
    [
        ("appointments:day", {"ngay": "9999-12-31"}, 422, "Chỉ đặt lịch từ hôm nay"),
        ("appointments:day", {"ngay": "2026-11-21"}, 422, "ngày nghỉ"),
        ("appointments:day", {"ngay": "2026-11-24"}, 422, "ngày nghỉ"),
        ("appointments:day", {"ngay": "2026-02-30"}, 400, "Hãy chọn một ngày"),
        ("appointments:day", {"ngay": "hôm nay'; DROP"}, 400, "Hãy chọn một ngày"),
        ("appointments:day", {"ngay": "1" * 5000}, 400, "Hãy chọn một ngày"),
        ("appointments:time", {"gio": "25:99"}, 400, "Hãy chọn một khung giờ"),
        ("appointments:time", {"gio": "12:00"}, 422, "giờ làm việc"),
        ("appointments:time", {"gio": "07:45"}, 422, "giờ làm việc"),
        ("appointments:time", {"gio": "=1+1"}, 400, "Hãy chọn một khung giờ"),
        ("appointments:desk", {"desk": "000.00.03.H01"}, 400, "Bộ phận Một cửa"),
        ("appointments:desk", {"desk": "\x00" * 50}, 400, "ký tự điều khiển"),
        ("appointments:procedure", {"procedure": "<b>x</b>"}, 400, "Hãy chọn một thủ tục"),
        ("appointments:details", {**DETAILS, "phone": "12345"}, 400, "Số điện thoại phải"),
        ("appointments:details", {**DETAILS, "full_name": "A\x07B"}, 400, "ký tự điều khiển"),
        ("appointments:details", {**DETAILS, "email": "x@"}, 400, "thư điện tử không đúng"),
        ("appointments:details", {**DETAILS, "full_name": "X" * 400}, 400, "không dài quá"),
    ],
)
def test_hostile_inputs_get_a_4xx_with_a_message(
    client, procedures, desk, clock, url, data, status, message
):
    walk_to_check(client)
    response = client.post(reverse(url), data)
    assert response.status_code == status
    page = html(response)
    assert message in page
    # A control character is refused before the form (egov.core.input_guard), on its own page.
    assert 'class="error-summary"' in page or "ký tự điều khiển" in message


def test_field_errors_are_described_and_summarised(client, procedures, desk, clock):
    walk_to_check(client)
    page = html(client.post(reverse("appointments:details"), {**DETAILS, "phone": "12345"}))
    assert '<a href="#phone">' in page
    assert 'aria-describedby="phone-hint phone-error"' in page and 'aria-invalid="true"' in page
    assert 'value="12345"' in page  # what was typed comes back
    assert "<title>Lỗi:" in page


def test_steps_cannot_be_skipped(client, procedures, desk, clock):
    response = client.get(reverse("appointments:check"))
    assert response.status_code == 302 and response["Location"] == reverse("appointments:procedure")
    client.post(reverse("appointments:procedure"), {"procedure": "1.001193"})
    response = client.get(reverse("appointments:time"))
    assert response["Location"] == reverse("appointments:desk")


def test_a_new_desk_asks_the_day_and_time_again(client, procedures, desk, clock):
    walk_to_check(client)
    response = client.post(reverse("appointments:desk"), {"desk": CENTER})
    assert response["Location"] == reverse("appointments:day")
    response = client.post(reverse("appointments:day"), {"ngay": "2026-11-18"})
    assert response["Location"] == reverse("appointments:time")
    client.post(reverse("appointments:time"), {"gio": "14:00"})
    client.post(reverse("appointments:check"))
    appointment = Appointment.objects.get()
    assert appointment.agency.code == CENTER and appointment.starts_at == at(18, 14)


def test_signed_in_citizen_details_are_prefilled(
    client, procedures, desk, clock, django_user_model
):
    user = django_user_model.objects.create_user("congdan")
    CitizenIdentity.objects.create(
        user=user,
        subject="vneid-demo-1",
        kind="person",
        level=2,
        id_number="089201000123",
        full_name="Lê Văn Tám",
        phone="0987654321",
        email="tam@example.vn",
        last_sign_in=clock.now,
    )
    client.force_login(user)
    client.post(reverse("appointments:procedure"), {"procedure": "1.001193"})
    client.post(reverse("appointments:desk"), {"desk": COMMUNE_CENTER})
    client.post(reverse("appointments:day"), {"ngay": "2026-11-17"})
    client.post(reverse("appointments:time"), {"gio": "07:30"})
    page = html(client.get(reverse("appointments:details")))
    assert 'value="Lê Văn Tám"' in page and 'value="0987654321"' in page
    assert 'value="089201000123"' in page
    client.post(reverse("appointments:details"), {"full_name": "Lê Văn Tám", "phone": "0987654321"})
    client.post(reverse("appointments:check"))
    assert Appointment.objects.get().user == user


def test_booking_is_rate_limited_per_address(client, procedures, desk, clock, monkeypatch):
    monkeypatch.setattr(views, "BOOKING_RATE", "1/h")
    walk_to_check(client)
    assert client.post(reverse("appointments:check")).status_code == 302
    walk_to_check(client, time="08:00")
    response = client.post(reverse("appointments:check"))
    assert response.status_code == 429 and "quá nhiều" in html(response)
    assert Appointment.objects.count() == 1


# ---------------------------------------------------------------- the secret link


@pytest.mark.parametrize("token", ["khong-co", "a" * 43, "%00", "1", "ä" * 43])
def test_an_unknown_link_is_a_404_that_says_so(client, procedures, desk, clock, token):
    for name in ("appointments:manage", "appointments:cancel", "appointments:change"):
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 404 and "Không tìm thấy lịch hẹn" in html(response)


def test_a_link_with_control_characters_is_refused(client, procedures, desk, clock):
    response = client.get(reverse("appointments:manage", args=["\x00" * 43]))
    assert response.status_code == 400 and "ký tự điều khiển" in html(response)
    response = client.post(reverse("appointments:cancel", args=["a" * 43]))
    assert response.status_code == 404


def test_cancel_by_the_link(client, procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    url = reverse("appointments:cancel", args=[appointment.token])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Có, hủy lịch hẹn" in html(confirm)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # a GET changes nothing
    done = client.post(url)
    assert done.status_code == 302
    page = html(client.get(done["Location"]))
    assert "Đã hủy lịch hẹn" in page and "Đổi lịch hẹn</a>" not in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_cancel_needs_the_csrf_token(procedures, desk, clock):
    from django.test import Client

    appointment = book(starts_at=at(17, 8))
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("appointments:cancel", args=[appointment.token])).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_change_by_the_link(client, procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    url = reverse("appointments:change", args=[appointment.token])
    days = html(client.get(url))
    assert "Chọn ngày mới" in days and 'name="ngay" value="2026-11-19"' in days
    times = html(client.get(url, {"ngay": "2026-11-19"}))
    assert "Chọn giờ mới" in times and 'value="14:00"' in times
    bad = client.post(url, {"ngay": "2026-11-19", "gio": "99:99"})
    assert bad.status_code == 400 and "Hãy chọn một khung giờ" in html(bad)
    weekend = client.get(url, {"ngay": "2026-11-22"})
    assert weekend.status_code == 422 and "ngày nghỉ" in html(weekend)
    far = client.post(url, {"ngay": "3000-01-01", "gio": "08:00"})
    assert far.status_code == 422 and "Chỉ đặt lịch" in html(far)
    done = client.post(url, {"ngay": "2026-11-19", "gio": "14:00"})
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(19, 14)
    assert "Đã đổi lịch hẹn" in html(client.get(done["Location"]))


def test_the_link_after_arrival_shows_the_queue_number(client, procedures, desk, people, clock):
    appointment = book(starts_at=at(16, 9))
    appointment_arrive(actor=people["desk"], appointment_uuid=appointment.uuid)
    page = html(client.get(reverse("appointments:manage", args=[appointment.token])))
    assert 'class="queue-number"' in page and "Đổi lịch hẹn</a>" not in page
    assert client.get(reverse("appointments:change", args=[appointment.token])).status_code == 302


# ---------------------------------------------------------------- the counter


def test_the_counter_lists_today_and_gives_numbers(client, procedures, agencies, people, clock):
    first = book(starts_at=at(16, 9), person=other("0911111111", "Người Một"))
    book(starts_at=at(16, 10), person=other("0922222222", "Người Hai"))
    book(starts_at=at(17, 9), person=other("0933333333", "Người Ngày Mai"))
    book(starts_at=at(16, 9), person=other("0944444444", "Người Tỉnh"), desk_code=CENTER)
    client.force_login(people["desk"])
    page = html(client.get(reverse("appointments_staff:today")))
    assert "Người Một" in page and "Người Hai" in page
    assert "Người Ngày Mai" not in page and "Người Tỉnh" not in page
    assert page.count(">Đã đến – cấp số<") == 2
    response = client.post(reverse("appointments_staff:arrive", args=[first.uuid]))
    assert response.status_code == 302
    ticket = html(client.get(response["Location"]))
    assert re.search(r'class="queue-number">1<', ticket) and "In phiếu" in ticket
    page = html(client.get(reverse("appointments_staff:today")))
    assert page.count(">Đã đến – cấp số<") == 1 and "<strong>1</strong>" in page


def test_arriving_from_the_worklist_comes_back_to_it(client, procedures, desk, people, clock):
    appointment = book(starts_at=at(16, 9))
    client.force_login(people["desk"])
    response = client.post(
        reverse("appointments_staff:arrive", args=[appointment.uuid]),
        {"next": "/can-bo/?tab=intake"},
    )
    ticket = html(client.get(response["Location"]))
    assert 'href="/can-bo/?tab=intake"' in ticket
    evil = client.post(
        reverse("appointments_staff:arrive", args=[appointment.uuid]),
        {"next": "https://evil.example/"},
    )
    assert "evil" not in evil["Location"]


def test_another_desks_officer_gets_nothing(client, procedures, agencies, people, staff, clock):
    appointment = book(starts_at=at(16, 9))
    client.force_login(people["province_desk"])
    assert "Nguyễn Thị Ánh Tuyết" not in html(client.get(reverse("appointments_staff:today")))
    assert (
        client.post(reverse("appointments_staff:arrive", args=[appointment.uuid])).status_code
        == 404
    )
    assert (
        client.get(reverse("appointments_staff:ticket", args=[appointment.uuid])).status_code == 404
    )
    assert (
        client.get(reverse("appointments_staff:today"), {"noi": COMMUNE_CENTER}).status_code == 404
    )
    leader = staff("lanhdao.motcua", COMMUNE_CENTER, "leader")
    client.force_login(leader)
    page = html(client.get(reverse("appointments_staff:today")))
    assert "Nguyễn Thị Ánh Tuyết" in page and "Đã đến – cấp số" not in page
    assert (
        client.post(reverse("appointments_staff:arrive", args=[appointment.uuid])).status_code
        == 403
    )
    appointment.refresh_from_db()
    assert appointment.queue_number is None


def test_province_readers_choose_a_desk(client, procedures, agencies, people, clock):
    book(starts_at=at(16, 9))
    client.force_login(people["auditor"])
    assert "Nguyễn Thị Ánh Tuyết" not in html(client.get(reverse("appointments_staff:today")))
    page = html(client.get(reverse("appointments_staff:today"), {"noi": COMMUNE_CENTER}))
    assert "Nguyễn Thị Ánh Tuyết" in page and "Đã đến – cấp số" not in page


def test_the_counter_is_for_staff(client, procedures, desk, clock, django_user_model):
    assert client.get(reverse("appointments_staff:today")).status_code == 302  # to sign-in
    client.force_login(django_user_model.objects.create_user("congdan"))
    assert client.get(reverse("appointments_staff:today")).status_code == 403


def test_the_counter_list_costs_the_same_at_any_size(
    client, procedures, agencies, people, clock, django_assert_max_num_queries
):
    DeskSchedule.objects.create(agency=agencies[COMMUNE_CENTER], capacity=100)
    client.force_login(people["desk"])
    for n in range(3):
        book(starts_at=at(16, 9), person=other(f"09110000{n:02d}"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("appointments_staff:today"))
    for n in range(3, 40):
        book(starts_at=at(16, 9 + n % 2), person=other(f"09110000{n:02d}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(client.get(reverse("appointments_staff:today")))
    assert page.count(">Đã đến – cấp số<") == 40
