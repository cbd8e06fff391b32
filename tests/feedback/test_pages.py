"""The public's feedback pages: send (check your answers), follow, published answers."""

import re
from dataclasses import asdict

import pytest
from django.test import Client
from django.urls import reverse

from egov.feedback import services
from egov.feedback.models import Feedback
from egov.notifications import texts

from .conftest import URLS, about_procedure, send

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def form(**changes):
    values = {**asdict(about_procedure), **changes}
    consent = values.pop("consent")
    return {**values, **({"consent": "yes"} if consent else {})}


def test_the_addresses_the_services_write_are_the_pages():
    reference = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert services.FOLLOW_PATH.format(reference=reference) == reverse(
        "feedback:follow", args=[reference]
    )
    assert services.STAFF_PATH.format(reference=reference) == reverse(
        "feedback_staff:detail", args=[reference]
    )
    assert reverse("feedback:published") == "/phan-anh/"


def test_the_form_starts_on_a_procedure_from_its_page(client, procedures):
    page = client.get(reverse("feedback:send"), {"thu_tuc": "2.001417"})
    html = page.content.decode()
    assert page.status_code == 200 and "Gửi phản ánh, kiến nghị" in html
    assert 'id="subject_type-procedure" name="subject_type" value="procedure" checked' in html
    assert 'value="2.001417"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "feedback/feedback.css" in html


def test_check_your_answers_then_send_and_see_the_reference_once(client, procedures, handlers):
    check = client.post(reverse("feedback:send"), form(buoc="kiem-tra"))
    html = check.content.decode()
    assert check.status_code == 200 and "Kiểm tra trước khi gửi" in html
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    assert "Sở Tư pháp tỉnh An Giang" in html  # who will handle it
    assert not Feedback.objects.exists()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["title"] == about_procedure.title and hidden["consent"] == "yes"
    # "Thay đổi" goes back to the questions, filled in, on the field.
    back = client.post(reverse("feedback:send"), {**hidden, "sua": "title"}).content.decode()
    assert 'id="title" name="title" value="Cấp phiếu lý lịch tư pháp chậm"' in back
    assert "autofocus" in back.split('id="title"')[1].split(">")[0]
    sent = client.post(reverse("feedback:send"), {**hidden, "buoc": "gui"})
    assert sent.status_code == 302 and sent["Location"] == reverse("feedback:sent")
    feedback = Feedback.objects.get()
    first = client.get(reverse("feedback:sent"))
    assert str(feedback.reference) in first.content.decode()
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    again = client.get(reverse("feedback:sent")).content.decode()
    assert str(feedback.reference) not in again and "chỉ hiện một lần" in again
    # A double click sends once, and shows the same reference.
    client.post(reverse("feedback:send"), {**hidden, "buoc": "gui"})
    assert Feedback.objects.count() == 1
    assert str(feedback.reference) in client.get(reverse("feedback:sent")).content.decode()


def test_a_signed_in_sender_sends_through_the_pages(client, procedures, django_user_model):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    client.force_login(citizen)
    client.post(reverse("feedback:send"), form(buoc="gui", token="t1"))
    assert Feedback.objects.get().sender_user == citizen


def test_errors_come_back_with_a_summary_linking_to_each_field(client, procedures):
    page = client.post(
        reverse("feedback:send"),
        form(buoc="kiem-tra", kind="", title="", sender_phone="12ab", sender_email=""),
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "<title>Lỗi: " in html and 'class="error-summary" role="alert"' in html
    assert '<a href="#kind-report">' in html and '<a href="#title">' in html
    assert '<a href="#sender_phone">' in html
    assert 'aria-describedby="title-hint title-error" aria-invalid="true"' in html
    assert "Số điện thoại phải gồm 10 chữ số" in html
    assert 'value="Tôi nộp hồ sơ' not in html and "Tôi nộp hồ sơ cấp phiếu" in html  # kept


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": "Nội dung " * 20_000}, "tối đa 5.000 ký tự"),
        ({"title": "\x00\x01\x02\x03\x04\x05\x06"}, "ký tự điều khiển"),
        ({"sender_phone": "=cmd|' /C calc'!A0", "sender_email": ""}, "10 chữ số"),
        ({"subject_type": "<script>"}, "về điều gì"),
    ],
)
def test_hostile_input_gets_a_4xx_with_a_message(client, procedures, changes, message):
    page = client.post(reverse("feedback:send"), form(buoc="gui", **changes))
    # A control character is refused before the form, with 400 (egov.core.input_guard).
    assert page.status_code in (400, 422) and message in page.content.decode()
    assert "<script>" not in page.content.decode().split("</header>")[1]
    assert not Feedback.objects.exists()


def test_formula_looking_text_is_kept_and_shown_as_text(client, procedures, handlers):
    client.post(
        reverse("feedback:send"),
        form(buoc="gui", title='=HYPERLINK("http://x";"<b>bấm</b>")', token="t"),
    )
    feedback = Feedback.objects.get()
    assert feedback.title == '=HYPERLINK("http://x";"<b>bấm</b>")'
    html = client.get(reverse("feedback:follow", args=[feedback.reference])).content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;;&quot;&lt;b&gt;bấm&lt;/b&gt;&quot;)" in html


def test_a_dossier_is_not_matched_without_saying_whether_it_exists(client, dossier):
    wrong_phone = client.post(
        reverse("feedback:send"),
        form(
            buoc="kiem-tra",
            subject_type="dossier",
            dossier_code=dossier.code,
            dossier_phone="0900000000",
        ),
    )
    missing = client.post(
        reverse("feedback:send"),
        form(
            buoc="kiem-tra",
            subject_type="dossier",
            dossier_code="000.00.00.H01-261116-9999",
            dossier_phone="0900000000",
        ),
    )
    assert wrong_phone.status_code == missing.status_code == 422
    body = [re.sub(r'value="[^"]*"', "", p.content.decode()) for p in (wrong_phone, missing)]
    body = [b.replace(dossier.code, "").replace("000.00.00.H01-261116-9999", "") for b in body]
    csrf = re.compile(r'name="csrfmiddlewaretoken"[^>]*>')
    assert csrf.sub("", body[0]) == csrf.sub("", body[1])
    assert services.DOSSIER_NOT_MATCHED in body[0]
    matched = client.post(
        reverse("feedback:send"),
        form(
            buoc="kiem-tra",
            subject_type="dossier",
            dossier_code=dossier.code,
            dossier_phone="0912 345 678",
        ),
    )
    assert matched.status_code == 200 and f"Hồ sơ {dossier.code}" in matched.content.decode()


def test_sending_is_rate_limited(client, procedures):
    statuses = [
        client.post(reverse("feedback:send"), form(buoc="kiem-tra", title="")).status_code
        for _ in range(25)
    ]
    assert statuses[0] == 422 and statuses[-1] == 429
    assert "quá nhiều lần" in client.post(reverse("feedback:send"), form()).content.decode()


def test_csrf_is_enforced(procedures):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("feedback:send"), form(buoc="gui")).status_code == 403
    assert not Feedback.objects.exists()


def test_follow_by_reference_shows_the_answer_and_never_the_contacts(
    client, procedures, handlers, clock, anonymous
):
    feedback = send(anonymous)
    page = client.get(reverse("feedback:follow", args=[feedback.reference]))
    html = page.content.decode()
    assert page.status_code == 200 and "Chờ phân loại" in html and "08/12/2026" in html
    assert "0987654321" not in html and "binh@example.vn" not in html
    assert 'name="robots" content="noindex"' in html
    services.feedback_reject(
        actor=handlers["justice"],
        reference=feedback.reference,
        reason="Nội dung là khiếu nại, xin gửi theo Luật Khiếu nại.",
    )
    html = client.get(reverse("feedback:follow", args=[feedback.reference])).content.decode()
    assert "Không tiếp nhận xử lý" in html and "Luật Khiếu nại" in html
    typed = client.get(reverse("feedback:follow_lookup"), {"ma": str(feedback.reference)})
    assert typed.status_code == 302
    assert client.get(reverse("feedback:follow_lookup"), {"ma": "abc"}).status_code == 400
    unknown = client.get(reverse("feedback:follow", args=["1b4e28ba-2fa1-11d2-883f-0016d3cca427"]))
    assert unknown.status_code == 404 and "Không tìm thấy" in unknown.content.decode()


def published(handlers, anonymous, **changes):
    feedback = send(anonymous, **changes)
    reference = feedback.reference
    services.feedback_classify(actor=handlers["justice"], reference=reference, category="other")
    services.feedback_answer(
        actor=handlers["justice"],
        reference=reference,
        answer="Sở Tư pháp trả lời: phiếu được cấp trong 10 ngày làm việc.",
    )
    return services.feedback_publish(actor=handlers["justice_leader"], reference=reference)


def test_published_answers_list_search_and_page(client, procedures, handlers, clock, anonymous):
    shown = published(
        handlers,
        anonymous,
        title="Đăng ký khai sinh cho con ở đâu",
        content="Tôi là Trần Văn Bình, số 0987654321, hỏi về đăng ký khai sinh cho con.",
    )
    private = send(anonymous, title="Đăng ký khai sinh chưa công khai")
    page = client.get(reverse("feedback:published"), {"q": "dang ky khai sinh"})
    html = page.content.decode()
    assert page.status_code == 200 and "Có 1 câu trả lời" in html
    assert str(shown.public_id) in html and private.title not in html
    assert str(shown.reference) not in html  # the sender's own page stays theirs
    partial = client.get(reverse("feedback:published"), {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    assert (
        "<html" not in partial.content.decode() and shown.public_title in partial.content.decode()
    )
    detail = client.get(reverse("feedback:published_detail", args=[shown.public_id]))
    html = detail.content.decode()
    assert detail.status_code == 200 and "10 ngày làm việc" in html
    for personal in ("Trần Văn Bình", "0987654321", "binh@example.vn", str(shown.reference)):
        assert personal not in html
    assert "[họ tên]" in html and "[số điện thoại]" in html
    assert (
        client.get(reverse("feedback:published_detail", args=[private.public_id])).status_code
        == 404
    )


def test_the_published_list_costs_the_same_at_any_size(
    client, procedures, handlers, clock, anonymous, django_assert_max_num_queries
):
    for _ in range(3):
        published(handlers, anonymous)
    with django_assert_max_num_queries(4) as few:
        client.get(reverse("feedback:published"), {"q": "ly lich"})
    for _ in range(22):
        published(handlers, anonymous)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("feedback:published"), {"q": "ly lich"})
    assert "Có 25 câu trả lời" in page.content.decode()
    assert page.content.decode().count('<li>\n    <a href="/phan-anh/tra-loi/') == 10


def test_the_messages_fit_an_sms_and_end_with_the_link(procedures, clock, anonymous, settings):
    feedback = send(anonymous, title="T" * 200)
    for name, extra in [("received", {}), ("answered", {}), ("rejected", {"reason": "L" * 2000})]:
        rendered = texts.render(
            f"feedback/messages/{name}",
            {
                "site_name": settings.MOTCUA_SITE_NAME,
                "kind": "Phản ánh",
                "title": feedback.title,
                "reference": str(feedback.reference),
                "agency": "A" * 255,
                "answer_due": feedback.answer_due,
                "follow_url": settings.MOTCUA_PUBLIC_URL
                + services.FOLLOW_PATH.format(reference=feedback.reference),
                **extra,
            },
        )
        assert len(rendered.text) <= texts.SHORT_LIMIT, name
        assert rendered.text.endswith(f"/phan-anh/theo-doi/{feedback.reference}/")
        assert str(feedback.reference) in rendered.short
