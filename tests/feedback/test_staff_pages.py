"""The staff's feedback pages: the queue with tabs and counts, one feedback and its actions."""

import pytest
from django.urls import reverse

from egov.feedback import services
from egov.feedback.models import Feedback

from .conftest import URLS, send

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def act(client, feedback, action, **data):
    return client.post(reverse("feedback_staff:act", args=[feedback.reference, action]), data)


def test_only_staff_see_the_queue(client, procedures, handlers, django_user_model):
    assert client.get(reverse("feedback_staff:queue")).status_code == 302  # to sign in
    client.force_login(django_user_model.objects.create_user("congdan", password="x"))
    assert client.get(reverse("feedback_staff:queue")).status_code == 403


def test_the_queue_has_tabs_with_counts(client, procedures, handlers, clock, anonymous):
    waiting, handled = send(anonymous, title="Chờ phân loại đây"), send(anonymous)
    services.feedback_classify(
        actor=handlers["justice"], reference=handled.reference, category="other"
    )
    client.force_login(handlers["justice"])
    html = client.get(reverse("feedback_staff:queue")).content.decode()
    for label, count in [("Chờ phân loại", 1), ("Đang xử lý", 1), ("Quá hạn", 0)]:
        assert f'{label} <span class="count">{count}</span>' in html
    assert waiting.title in html and 'aria-current="page"' in html
    clock.set(2026, 11, 19, 8, 0)
    client.force_login(handlers["justice"])  # a session lasts 8 hours
    html = client.get(reverse("feedback_staff:queue"), {"tab": "overdue"}).content.decode()
    assert 'Quá hạn <span class="count">1</span>' in html and "badge-late" in html
    client.force_login(handlers["specialist"])  # the commune's: none of theirs
    html = client.get(reverse("feedback_staff:queue")).content.decode()
    assert waiting.title not in html and "Không có phản ánh" in html


def test_the_queue_costs_the_same_at_any_size(
    client, procedures, handlers, clock, anonymous, django_assert_max_num_queries
):
    client.force_login(handlers["justice"])
    for _ in range(3):
        send(anonymous)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("feedback_staff:queue"))
    for _ in range(30):
        send(anonymous)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("feedback_staff:queue"))
    assert page.content.decode().count("<tr") == 34  # header + 33 rows


def test_a_handler_classifies_and_answers_a_leader_publishes(
    client, procedures, handlers, clock, anonymous
):
    feedback = send(anonymous)
    client.force_login(handlers["justice_desk"])
    page = client.get(reverse("feedback_staff:detail", args=[feedback.reference]))
    html = page.content.decode()
    assert page.status_code == 200 and "0987654321" in html  # staff see the contacts
    assert "Phân loại, tiếp nhận xử lý" in html and "Từ chối tiếp nhận" in html
    assert "Duyệt và công khai" not in html
    done = act(client, feedback, "classify", category="handling", note="")
    assert done.status_code == 302
    missing = act(client, feedback, "answer", answer="Ngắn")
    assert missing.status_code == 422
    html = missing.content.decode()
    assert "ít nhất 20 ký tự" in html and ">Ngắn</textarea>" in html  # what was typed stays
    act(client, feedback, "answer", answer="Sở Tư pháp đã trả phiếu lý lịch tư pháp cho ông.")
    client.force_login(handlers["justice_leader"])
    html = client.get(reverse("feedback_staff:detail", args=[feedback.reference])).content.decode()
    assert "Duyệt và công khai" in html
    assert act(client, feedback, "publish").status_code == 302
    assert Feedback.objects.get().status == "published"


def test_rejecting_late_through_the_page_is_refused(client, procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    clock.set(2026, 11, 20, 8, 0)
    client.force_login(handlers["justice"])
    html = client.get(reverse("feedback_staff:detail", args=[feedback.reference])).content.decode()
    assert "không được từ chối nữa" in html and 'name="reason"' not in html
    refused = act(client, feedback, "reject", reason="Không thuộc thẩm quyền của Sở.")
    assert refused.status_code == 422 and "không được từ chối nữa" in refused.content.decode()
    assert Feedback.objects.get().status == "received"


def test_other_agencies_get_404_auditors_read(client, procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    client.force_login(handlers["specialist"])  # the commune's specialist
    page = reverse("feedback_staff:detail", args=[feedback.reference])
    assert client.get(page).status_code == 404
    assert act(client, feedback, "classify", category="other").status_code == 404
    client.force_login(handlers["auditor"])
    read = client.get(page)
    assert read.status_code == 200 and "Phân loại, tiếp nhận xử lý" not in read.content.decode()
    assert act(client, feedback, "classify", category="other").status_code == 403
    assert act(client, feedback, "delete").status_code == 404
    assert Feedback.objects.get().status == "received"


def test_a_province_admin_reassigns(client, procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    client.force_login(handlers["province_admin"])
    html = client.get(reverse("feedback_staff:detail", args=[feedback.reference])).content.decode()
    assert "Chuyển cơ quan xử lý" in html and "Phân loại, tiếp nhận" not in html
    assert act(client, feedback, "reassign", agency_code="", note="").status_code == 422
    assert act(client, feedback, "reassign", agency_code="000.03.50.H01").status_code == 302
    assert Feedback.objects.get().agency.code == "000.03.50.H01"
