"""Feedback's use cases: send, classify, reject, answer, publish, reassign, and who may."""

import datetime

import pytest

from egov.core.errors import NotAllowedError
from egov.dossiers.models import Dossier
from egov.feedback import services
from egov.feedback.errors import FeedbackInputError, FeedbackNotFoundError
from egov.feedback.lifecycle import IllegalFeedbackActionError
from egov.feedback.models import Feedback, FeedbackEvent
from egov.feedback.selectors import (
    feedback_figures,
    feedback_get,
    feedback_queue,
    published_search,
    queue_counts,
)
from egov.interop.models import OutboxMessage
from egov.notifications.models import StaffNotification
from egov.orgs.selectors import working_calendar
from tests.conftest import CENTER, COMMUNE, JUSTICE, VN

from .conftest import about_procedure, send

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN)


def outbox_keys(feedback: Feedback) -> set[str]:
    return set(
        OutboxMessage.objects.filter(
            idempotency_key__startswith=f"feedback:{feedback.reference}:"
        ).values_list("idempotency_key", flat=True)
    )


# ------------------------------------------------------------------ sending


def test_anyone_sends_feedback_and_gets_a_reference(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    assert feedback.status == "received" and feedback.sender_user is None
    assert feedback.agency.code == JUSTICE  # the procedure's competent agency
    # Monday 08:00: two working days to classify, fifteen to answer (24/11/2026, Vietnam
    # Cultural Day, is a day off: one day more).
    assert feedback.classify_due == at(2026, 11, 18, 8, 0)
    assert feedback.answer_due == at(2026, 12, 8, 8, 0)
    assert feedback.answer_due == working_calendar().due_time(clock.now, 15, "working_days")
    # The sender hears of it with the reference, by the channels the contacts allow.
    assert outbox_keys(feedback) >= {f"feedback:{feedback.reference}:received:email"}
    # The handling agency's leader and reception officers hear of it in the desk.
    told = set(StaffNotification.objects.values_list("recipient__username", flat=True))
    assert told == {"lanhdao.stp", "tiepnhan.stp"}
    assert StaffNotification.objects.first().link == f"/can-bo/phan-anh/{feedback.reference}/"
    assert FeedbackEvent.objects.get(feedback=feedback).action == "send"


def test_a_signed_in_sender_is_recorded(procedures, clock, django_user_model):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    feedback = send(citizen)
    assert feedback.sender_user == citizen


def test_who_handles_what(procedures, agencies, clock, anonymous):
    # A commune's procedure has no single competent agency: the province's service center.
    birth = send(anonymous, procedure_code="1.001193")
    assert birth.agency.code == CENTER
    named = send(anonymous, subject_type="agency", agency_code=COMMUNE)
    assert named.agency.code == COMMUNE and named.subject_agency.code == COMMUNE


def test_the_public_version_masks_contacts_typed_into_the_text(procedures, clock, anonymous):
    feedback = send(
        anonymous,
        content="Tôi là Trần Văn Bình, gọi 0987 654 321 hoặc binh@example.vn, "
        "CCCD 089301000123, mà chưa ai trả lời.",
    )
    assert feedback.public_content == (
        "Tôi là [họ tên], gọi [số điện thoại] hoặc [thư điện tử], CCCD [số giấy tờ], "
        "mà chưa ai trả lời."
    )
    assert "0987" in feedback.content  # staff see what was written


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"content": "x" * 100_000}, "content", "tối đa 5.000 ký tự"),
        ({"title": "Chậm" + "\x00\x07"}, "title", "ít nhất 5 ký tự"),  # "Chậm" is 4 once clean
        ({"sender_phone": "12345", "sender_email": ""}, "sender_phone", "10 chữ số"),
        ({"sender_phone": "", "sender_email": ""}, "sender_phone", "ít nhất một"),
        ({"sender_email": "không phải thư"}, "sender_email", "không đúng dạng"),
        ({"kind": "complaint"}, "kind", "phản ánh hoặc kiến nghị"),
        ({"subject_type": "planet"}, "subject_type", "về điều gì"),
        ({"procedure_code": "9.999999"}, "procedure_code", "Không tìm thấy thủ tục"),
        ({"subject_type": "agency", "agency_code": "999.99.99.Z99"}, "agency_code", "Chọn cơ"),
        ({"sender_name": "\u202e\u200b"}, "sender_name", "Nhập họ và tên"),
    ],
)
def test_hostile_input_is_refused_with_a_message(
    procedures, clock, anonymous, changes, field, message
):
    with pytest.raises(FeedbackInputError) as problem:
        send(anonymous, **changes)
    assert message in problem.value.fields[field]
    assert not Feedback.objects.exists()


def test_control_characters_are_stripped_and_formulas_kept_as_text(procedures, clock, anonymous):
    feedback = send(
        anonymous,
        title='=HYPERLINK("http://x","bấm")\x1b[31m',
        content="Dòng một\r\n\x00\x08Dòng\u202e hai\t\tcó tab\n\n\n\nDòng ba",
        sender_name="  Trần\x0b Văn\u200b Bình ",
    )
    assert feedback.title == '=HYPERLINK("http://x","bấm")[31m'
    assert feedback.content == "Dòng một\nDòng hai có tab\n\nDòng ba"
    assert feedback.sender_name == "Trần Văn Bình"


def test_a_phone_in_international_form_is_accepted(procedures, clock, anonymous):
    assert send(anonymous, sender_phone="+84 987 654 321").sender_phone == "+84987654321"


# ------------------------------------------------------------------ a dossier


def test_the_owner_names_their_dossier(dossier, django_user_model, anonymous):
    owner = django_user_model.objects.create_user("tuyet", password="x")
    Dossier.objects.filter(pk=dossier.pk).update(owner=owner)
    feedback = send(owner, subject_type="dossier", dossier_code=dossier.code)
    assert feedback.dossier == dossier and feedback.agency == dossier.competent_agency
    assert dossier.code not in feedback.public_subject  # the public never sees the code


def test_anyone_with_the_code_and_the_applicants_phone_names_it(dossier, anonymous):
    feedback = send(
        anonymous,
        subject_type="dossier",
        dossier_code=dossier.code.lower(),
        dossier_phone="+84 912 345 678",  # the applicant's 0912345678
    )
    assert feedback.dossier == dossier


def test_a_dossier_that_does_not_match_and_one_that_does_not_exist_answer_alike(
    dossier, anonymous, django_user_model
):
    stranger = django_user_model.objects.create_user("nguoila", password="x")
    answers = []
    for actor, code, phone in [
        (anonymous, dossier.code, "0900000000"),  # wrong phone
        (anonymous, dossier.code, ""),  # no phone
        (stranger, dossier.code, ""),  # signed in, not the owner
        (anonymous, "000.00.00.H01-261116-9999", "0912345678"),  # no such dossier
        (anonymous, "x" * 5000, "0912345678"),
    ]:
        with pytest.raises(FeedbackInputError) as problem:
            send(actor, subject_type="dossier", dossier_code=code, dossier_phone=phone)
        answers.append(problem.value.fields)
    assert all(answer == {"dossier_code": services.DOSSIER_NOT_MATCHED} for answer in answers)


# ------------------------------------------------------------------ handling


def test_classify_answer_and_publish(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    reference = feedback.reference
    specialist, leader = handlers["justice"], handlers["justice_leader"]
    clock.set(2026, 11, 17, 9, 0)
    feedback = services.feedback_classify(
        actor=specialist, reference=reference, category="handling"
    )
    assert feedback.status == "accepted" and not feedback.classify_late
    with pytest.raises(IllegalFeedbackActionError):  # from accepted, no rejecting any more
        services.feedback_reject(actor=specialist, reference=reference, reason="Không thuộc.")
    with pytest.raises(FeedbackInputError) as short:
        services.feedback_answer(actor=specialist, reference=reference, answer="Đã xong.")
    assert "ít nhất 20 ký tự" in short.value.fields["answer"]
    clock.set(2026, 11, 20, 10, 0)
    feedback = services.feedback_answer(
        actor=specialist,
        reference=reference,
        answer="Sở Tư pháp đã kiểm tra; phiếu lý lịch tư pháp được trả ngày 21/11/2026.",
    )
    assert feedback.status == "answered" and not feedback.answer_late
    assert feedback.publish_due == at(2026, 11, 25, 10, 0)  # 24/11 is a day off
    assert f"feedback:{reference}:answered:email" in outbox_keys(feedback)
    with pytest.raises(NotAllowedError):  # publishing is the leader's approval
        services.feedback_publish(actor=specialist, reference=reference)
    feedback = services.feedback_publish(actor=leader, reference=reference)
    assert feedback.status == "published" and feedback.published_by == leader
    assert [e.action for e in FeedbackEvent.objects.filter(feedback=feedback)] == [
        "send",
        "classify",
        "answer",
        "publish",
    ]


def test_reject_only_within_two_working_days(procedures, handlers, clock, anonymous):
    first, second = send(anonymous), send(anonymous)
    clock.set(2026, 11, 18, 8, 0)  # exactly the deadline: still allowed
    rejected = services.feedback_reject(
        actor=handlers["justice"],
        reference=first.reference,
        reason="Nội dung là khiếu nại; xin gửi theo Luật Khiếu nại.",
    )
    assert rejected.status == "rejected"
    assert f"feedback:{first.reference}:rejected:email" in outbox_keys(rejected)
    clock.set(2026, 11, 18, 8, 1)
    with pytest.raises(IllegalFeedbackActionError) as late:
        services.feedback_reject(
            actor=handlers["justice"], reference=second.reference, reason="Quá hạn rồi vẫn từ chối."
        )
    assert "không được từ chối nữa" in late.value.message
    # It must be handled instead: classifying late is allowed, and recorded.
    classified = services.feedback_classify(
        actor=handlers["justice"], reference=second.reference, category="regulation"
    )
    assert classified.classify_late
    assert FeedbackEvent.objects.get(feedback=classified, action="classify").late


def test_a_late_answer_is_recorded(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    services.feedback_classify(
        actor=handlers["justice"], reference=feedback.reference, category="conduct"
    )
    clock.set(2026, 12, 8, 8, 1)
    answered = services.feedback_answer(
        actor=handlers["justice_leader"],
        reference=feedback.reference,
        answer="Xin lỗi ông vì trả lời chậm; cán bộ đã được nhắc nhở.",
    )
    assert answered.answer_late


def test_publishing_needs_the_senders_consent(procedures, handlers, clock, anonymous):
    feedback = send(anonymous, consent=False)
    services.feedback_classify(
        actor=handlers["justice"], reference=feedback.reference, category="other"
    )
    services.feedback_answer(
        actor=handlers["justice"],
        reference=feedback.reference,
        answer="Sở Tư pháp trả lời như sau: hồ sơ đang được xác minh.",
    )
    with pytest.raises(IllegalFeedbackActionError) as refused:
        services.feedback_publish(actor=handlers["justice_leader"], reference=feedback.reference)
    assert "không đồng ý công khai" in refused.value.message


def test_other_agencies_do_not_see_it_auditors_read_only(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    for outsider in (handlers["specialist"], handlers["desk"]):  # the commune's staff
        with pytest.raises(FeedbackNotFoundError):
            feedback_get(actor=outsider, reference=feedback.reference)
        with pytest.raises(FeedbackNotFoundError):
            services.feedback_classify(
                actor=outsider, reference=feedback.reference, category="other"
            )
    assert feedback_get(actor=handlers["auditor"], reference=feedback.reference) == feedback
    with pytest.raises(NotAllowedError):
        services.feedback_classify(
            actor=handlers["auditor"], reference=feedback.reference, category="other"
        )
    with pytest.raises(FeedbackNotFoundError):
        feedback_get(actor=handlers["justice"], reference="not-a-uuid")


def test_a_province_admin_reassigns_to_another_agency(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    services.feedback_classify(
        actor=handlers["justice"], reference=feedback.reference, category="other"
    )
    with pytest.raises(NotAllowedError):
        services.feedback_reassign(
            actor=handlers["justice_leader"], reference=feedback.reference, agency_code=COMMUNE
        )
    clock.set(2026, 11, 19, 9, 0)
    moved = services.feedback_reassign(
        actor=handlers["province_admin"], reference=feedback.reference, agency_code=COMMUNE
    )
    assert moved.agency.code == COMMUNE and moved.status == "received" and moved.category == ""
    assert moved.classify_due == at(2026, 11, 23, 9, 0)  # two working days from the transfer
    assert moved.answer_due == feedback.answer_due  # the sender waits no longer
    assert feedback_get(actor=handlers["specialist"], reference=feedback.reference) == moved
    with pytest.raises(FeedbackNotFoundError):
        feedback_get(actor=handlers["justice"], reference=feedback.reference)


def test_edit_the_public_version(procedures, handlers, clock, anonymous):
    feedback = send(anonymous)
    edited = services.feedback_edit_public(
        actor=handlers["justice"],
        reference=feedback.reference,
        title="Cấp phiếu lý lịch tư pháp chậm hạn",
        content="Người gửi phản ánh việc cấp phiếu lý lịch tư pháp quá hạn.",
    )
    assert edited.public_title == "Cấp phiếu lý lịch tư pháp chậm hạn"
    with pytest.raises(FeedbackInputError):
        services.feedback_edit_public(
            actor=handlers["justice"], reference=feedback.reference, title="", content=""
        )
    with pytest.raises(NotAllowedError):
        services.feedback_edit_public(
            actor=handlers["auditor"], reference=feedback.reference, title="abcde", content="x" * 30
        )


def publish(handlers, feedback, answer: str) -> Feedback:
    reference = feedback.reference
    services.feedback_classify(actor=handlers["justice"], reference=reference, category="other")
    services.feedback_answer(actor=handlers["justice"], reference=reference, answer=answer)
    return services.feedback_publish(actor=handlers["justice_leader"], reference=reference)


def test_published_answers_are_found_without_diacritics(procedures, handlers, clock, anonymous):
    birth = send(
        anonymous,
        procedure_code="1.001193",
        title="Hỏi về đăng ký khai sinh cho con",
        content="Con tôi sinh ở bệnh viện tỉnh, tôi đăng ký khai sinh ở đâu?",
    )
    # Feedback on the commune's birth registration goes to the province's service center...
    services.feedback_reassign(
        actor=handlers["province_admin"], reference=birth.reference, agency_code=JUSTICE
    )
    publish(handlers, birth, "Ông bà đăng ký khai sinh tại UBND xã, phường nơi cư trú.")
    other = send(anonymous, title="Phí lý lịch tư pháp", content="Phí cấp phiếu là bao nhiêu tiền?")
    publish(handlers, other, "Phí cấp phiếu lý lịch tư pháp là 200.000 đồng một phiếu.")
    send(anonymous, title="Đăng ký khai sinh chưa trả lời", consent=True)  # not published
    assert list(published_search(query="dang ky khai sinh")) == [Feedback.objects.get(pk=birth.pk)]
    assert list(published_search(query="ĐĂNG KÝ khai-sinh")) == [Feedback.objects.get(pk=birth.pk)]
    assert published_search(query="").count() == 2
    assert published_search(query="sinh khai dang ky").count() == 1  # every word, any order
    assert not published_search(query="ang").exists()  # words start words


def test_queue_tabs_and_overdue_flags(procedures, handlers, clock, anonymous):
    waiting, handled = send(anonymous), send(anonymous)
    services.feedback_classify(
        actor=handlers["justice"], reference=handled.reference, category="other"
    )
    specialist = handlers["justice"]
    assert queue_counts(actor=specialist) == {
        "new": 1,
        "open": 1,
        "overdue": 0,
        "answered": 0,
        "rejected": 0,
    }
    clock.set(2026, 11, 19, 8, 0)
    assert queue_counts(actor=specialist)["overdue"] == 1
    assert list(feedback_queue(actor=specialist, tab="overdue")) == [waiting]
    assert services.feedback_flag_overdue() == 1
    assert Feedback.objects.get(pk=waiting.pk).overdue
    assert queue_counts(actor=handlers["specialist"])["new"] == 0  # another agency's staff


def test_figures_for_the_indicators(procedures, handlers, clock, anonymous):
    on_time, late, rejected, _waiting = (send(anonymous) for _ in range(4))
    start, end = at(2026, 11, 1, 0, 0), at(2026, 12, 1, 0, 0)
    services.feedback_classify(
        actor=handlers["justice"], reference=on_time.reference, category="regulation"
    )
    services.feedback_answer(
        actor=handlers["justice"],
        reference=on_time.reference,
        answer="Trả lời đúng hạn cho người gửi.",
    )
    services.feedback_reject(
        actor=handlers["justice"], reference=rejected.reference, reason="Đây là đơn khiếu nại."
    )
    services.feedback_classify(
        actor=handlers["justice"], reference=late.reference, category="conduct"
    )
    clock.set(2026, 12, 9, 8, 0)
    services.feedback_answer(
        actor=handlers["justice"], reference=late.reference, answer="Trả lời trễ hạn cho người gửi."
    )
    figures = feedback_figures(start=start, end=end)
    assert figures.received == 4 and figures.handled == 3 and figures.handled_on_time == 2
    assert figures.open_overdue == 1  # `waiting`, never classified
    assert figures.by_category == {"regulation": 1, "conduct": 1}
    assert figures.on_time_rate == 0.5 and figures.tt01_indicator_8 == 0
    assert feedback_figures(start=end, end=at(2027, 1, 1, 0, 0)).tt01_indicator_8 == 2


def test_the_same_form_sent_twice_makes_one_feedback(procedures, clock, anonymous):
    first = services.feedback_send(actor=anonymous, data=about_procedure, token="a" * 32)
    again = services.feedback_send(actor=anonymous, data=about_procedure, token="a" * 32)
    assert again == first and Feedback.objects.count() == 1
    told = OutboxMessage.objects.filter(idempotency_key__startswith=f"feedback:{first.reference}:")
    assert told.count() == len(outbox_keys(first)) == 2  # once, by e-mail and SMS
    services.feedback_send(actor=anonymous, data=about_procedure, token="")
    services.feedback_send(actor=anonymous, data=about_procedure, token="")
    assert Feedback.objects.count() == 3
