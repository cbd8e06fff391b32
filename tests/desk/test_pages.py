"""The officers' pages: worklists with tabs and counts, the dossier page and its actions."""

import pytest
from django.urls import reverse

from egov.dossiers.models import Dossier
from egov.dossiers.services import dossier_create
from egov.interop.models import OutboxMessage
from tests.dossiers.conftest import CITIZEN, act
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


def receive(people):
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def test_only_staff_see_the_desk(client, people, django_user_model):
    assert client.get(reverse("desk:worklist")).status_code == 302  # to sign-in
    citizen = django_user_model.objects.create_user("congdan", password="x")
    client.force_login(citizen)
    assert client.get(reverse("desk:worklist")).status_code == 403


def test_worklist_tabs_count_and_list(client, procedures, people, clock):
    first = receive(people)
    receive(people)
    act(first, "transfer", people["desk"])
    client.force_login(people["specialist"])
    page = client.get(reverse("desk:worklist"), {"tab": "agency"})
    html = page.content.decode()
    assert page.status_code == 200 and "Hồ sơ cần xử lý" in html
    assert first.code in html  # at the specialist's agency now
    assert "261116-0002" not in html  # still at the desk
    client.force_login(people["desk"])
    html = client.get(reverse("desk:worklist"), {"tab": "all", "q": "tuyet"}).content.decode()
    assert first.code in html and "261116-0002" in html


def test_worklist_renders_in_a_constant_number_of_queries(
    client, procedures, people, clock, django_assert_max_num_queries
):
    client.force_login(people["desk"])
    for _ in range(3):
        receive(people)
    # Two more than before: the desks' appointments of the day, and their desks.
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("desk:worklist"), {"tab": "all"})
    for _ in range(20):
        receive(people)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("desk:worklist"), {"tab": "all"})
    assert page.content.decode().count("<tr") == 24  # header + 23 rows


def test_the_dossier_page_offers_exactly_the_allowed_actions(client, procedures, people, clock):
    dossier = receive(people)
    client.force_login(people["desk"])
    html = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Nguyễn Thị Ánh Tuyết" in html and "Chuyển xử lý" in html
    assert "— Nộp hồ sơ (" in html and "— Tiếp nhận (" in html  # the log in Vietnamese
    assert "Giấy tiếp nhận (Mẫu 01)" in html and "Phiếu từ chối (Mẫu 03)" not in html
    assert "Phê duyệt kết quả" not in html and "Chuyển bước tiếp theo" not in html
    client.force_login(people["specialist"])
    html = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Chuyển xử lý" not in html  # the desk's, not the specialist's
    client.force_login(people["justice"])
    assert client.get(reverse("desk:dossier", args=[dossier.code])).status_code == 404


def test_an_action_through_the_page_and_a_stale_one(client, procedures, people, clock):
    dossier = receive(people)
    client.force_login(people["desk"])
    url = reverse("desk:action", args=[dossier.code, "transfer"])
    response = client.post(url, {"version": dossier.version})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    # A second officer with the old page: told, nothing overwritten.
    stale = client.post(url, {"version": dossier.version - 1}, follow=True)
    assert "vừa được người khác cập nhật" in stale.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_a_refused_action_says_why(client, procedures, people, clock):
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    client.force_login(people["specialist"])
    response = client.post(
        reverse("desk:action", args=[dossier.code, "request_supplement"]),
        {"version": 3},
        follow=True,
    )
    assert "Cần ghi rõ giấy tờ phải bổ sung" in response.content.decode()


def test_a_leader_assigns_the_step(client, procedures, people, clock, staff):
    staff("chuyenvien2.xa", "000.03.50.H01", "specialist")
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    client.force_login(people["leader"])
    page = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Giao việc" in page and "chuyenvien2.xa" in page
    response = client.post(
        reverse("desk:assign", args=[dossier.code]),
        {"version": 3, "assignee": "chuyenvien2.xa"},
        follow=True,
    )
    assert "Đã giao bước" in response.content.decode()


def test_online_queue_oldest_first_with_the_intake_deadline(
    client, procedures, people, clock, django_user_model
):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    codes = []
    for hour in (8, 9):
        clock.set(2026, 11, 16, hour, 0)
        dossier = dossier_create(
            actor=citizen,
            procedure_code="1.001193",
            channel="online",
            applicant=CITIZEN,
            return_method="online",
            agency_code="001.03.50.H01",
        )
        codes.append(str(dossier.reference))
    client.force_login(people["desk"])
    html = client.get(reverse("desk:worklist"), {"tab": "intake"}).content.decode()
    assert html.index(codes[0]) < html.index(codes[1])  # oldest first
    assert "Kiểm tra trước 08:00 17/11/2026" in html  # 8 working hours from Monday 08:00


def test_the_leaders_month(client, procedures, people, clock, staff):
    staff("chuyenvien2.xa", "000.03.50.H01", "specialist")  # two: the leader gives the step
    late = receive(people)
    act(late, "transfer", people["desk"])
    receive(people)
    clock.set(2026, 11, 18, 9, 0)  # overdue now (the dashboard reads the clock, not a flag)
    client.force_login(people["leader"])
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert "Tổng quan tháng 11/2026" in html
    assert late.code in html  # among the most overdue
    assert "Chưa giao" in html  # the open step nobody was given yet
    client.force_login(people["desk"])  # not a leader
    refused = client.get(reverse("desk:dashboard"))
    assert refused.status_code == 403 and "Không có quyền truy cập" in refused.content.decode()


def test_someone_in_two_agencies_chooses_whose_work_to_see(
    client, procedures, people, clock, staff
):
    staff("hai.noi", "001.03.50.H01", "reception")
    both = staff("hai.noi", "000.00.31.H01", "reception")
    first = receive(people)  # at Long Xuyên's desk
    client.force_login(both)
    page = client.get(reverse("desk:worklist")).content.decode()
    assert "Làm việc tại" in page and first.code in page
    province_center = people["province_desk"].memberships.get().agency
    client.post(reverse("desk:choose_agency"), {"agency": province_center.pk})
    assert first.code not in client.get(reverse("desk:worklist")).content.decode()
    client.post(reverse("desk:choose_agency"), {"agency": "999999"})  # not theirs: all again
    assert first.code in client.get(reverse("desk:worklist")).content.decode()


def test_the_dossier_page_speaks_vietnamese(client, procedures, people, clock):
    from egov.dossiers.services import dossier_create as create

    dossier = create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        form_data={"child_full_name": "Trần Gia Bảo", "child_gender": "male"},
    )
    client.force_login(people["desk"])
    html = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Họ, chữ đệm và tên của trẻ" in html and "Nam" in html
    assert "child_gender" not in html and ">male<" not in html
    assert "Tổng quan" not in html  # a reception officer is not a leader


def test_an_impossible_apology_date_is_refused_not_a_crash(client, procedures, people, clock):
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    client.force_login(people["leader"])
    response = client.post(
        reverse("desk:action", args=[dossier.code, "apologize"]),
        {"version": 3, "note": "Chờ", "new_due_at": "2026-02-30T10:00"},
        follow=True,
    )
    assert "Ngày giờ hẹn trả mới không hợp lệ" in response.content.decode()


def test_the_leader_approves_with_the_signed_result(
    client, procedures, people, clock, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    client.force_login(people["leader"])
    pdf = SimpleUploadedFile("giay-khai-sinh.pdf", PDF)
    dossier.refresh_from_db()
    client.post(
        reverse("desk:action", args=[dossier.code, "approve"]),
        {"version": dossier.version, "result": pdf},
    )
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"
    assert dossier.documents.get().is_result
    page = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "kết quả giải quyết" in page and "?inline=true" in page


def test_a_stale_form_keeps_what_was_typed(client, procedures, people, clock):
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    client.force_login(people["specialist"])
    response = client.post(
        reverse("desk:action", args=[dossier.code, "request_supplement"]),
        {"version": 2, "note": "Thiếu bản sao giấy chứng sinh"},
        follow=True,
    )
    assert "Nội dung bạn đã nhập: “Thiếu bản sao giấy chứng sinh”" in response.content.decode()


def test_the_counter_search_puts_the_most_used_first(client, procedures, people, clock):
    receive(people)
    client.force_login(people["desk"])
    html = client.get(reverse("desk:intake"), {"q": "t"}).content.decode()
    # The birth registration was received here; the criminal record never was.
    assert html.index("1.001193") < html.index("2.001417")


def test_an_obligation_asked_on_the_page_goes_to_the_tax_authority(
    client, procedures, people, clock
):
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    client.force_login(people["leader"])  # the competent agency's leader asks for it
    page = client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Chuyển cơ quan thuế xác định nghĩa vụ" in page
    url = reverse("desk:action", args=[dossier.code, "request_obligation"])
    typo = client.post(
        url,
        {
            "version": dossier.version,
            "note": "Lệ phí trước bạ",
            "tax_kind": "LPTB",
            "taxable_value": "1,2 tỷ",
        },
        follow=True,
    )
    assert "Giá trị tính thuế phải là số tiền" in typo.content.decode()
    for hostile in ("²", "9" * 5000):  # digits to str.isdigit, not to int(): never a 500
        answer = client.post(
            url,
            {
                "version": dossier.version,
                "note": "Lệ phí",
                "tax_kind": "LPTB",
                "taxable_value": hostile,
            },
            follow=True,
        )
        assert "Giá trị tính thuế phải là số tiền" in answer.content.decode()
    client.post(
        url,
        {
            "version": dossier.version,
            "note": "Lệ phí trước bạ",
            "tax_kind": "LPTB",
            "taxable_value": "1.234.567.000",
        },
    )
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_obligation"
    (transfer,) = OutboxMessage.objects.filter(topic="thue.dossier.transfer")
    assert (transfer.payload["loaiNghiaVu"], transfer.payload["giaTriTinhThue"]) == (
        "LPTB",
        1_234_567_000,
    )
