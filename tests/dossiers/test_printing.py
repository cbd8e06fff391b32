"""The printable forms, built from dossiers the real services made and read back from the PDF
as a person would read the paper: the code, the applicant, the times, the page size."""

import datetime
import io
from typing import Any

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core.pdf import qr_svg_data_uri
from egov.dossiers.models import Dossier, ProcessTask
from egov.dossiers.printing import (
    FORMS,
    FormNotAvailableError,
    apology,
    process_control_slip,
    receipt_slip,
    refusal,
    stop_notice,
    supplement_request,
    tracking_book,
    vn_time,
)
from egov.dossiers.services import dossier_create
from egov.orgs.models import Agency
from egov.orgs.services import staff_provision
from tests.conftest import COMMUNE, COMMUNE_CENTER
from tests.dossiers.conftest import CITIZEN, VN, act

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Ánh Tuyết"
A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def read(pdf: bytes) -> tuple[str, list[tuple[float, float]]]:
    """The PDF's text with line breaks as spaces (a long name may wrap), and its page sizes."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
    return " ".join(text.split()), sizes


def assert_size(sizes: list[tuple[float, float]], expected: tuple[float, float]) -> None:
    for width, height in sizes:
        assert abs(width - expected[0]) < 1 and abs(height - expected[1]) < 1, (width, height)


def name_officer(user: Any, agency: str, role: str, full_name: str, title: str) -> None:
    """Give a staff account its full name and its title at an agency, as the admin would."""
    staff_provision(
        username=user.username,
        password=None,
        agency_code=agency,
        roles=[role],
        full_name=full_name,
        title=title,
    )


def assert_slip(pdf: bytes, *, key: str, due: str | None, place_date: str) -> str:
    """What every A5 slip carries: motto, place and date, the dossier, its look-up address."""
    text, sizes = read(pdf)
    assert_size(sizes, A5)
    assert len(sizes) == 1  # a slip is one sheet
    for expected in (*MOTTO, place_date, key, NAME):
        assert expected in text
    # The full look-up address (it may wrap inside a long reference).
    assert f"http://127.0.0.1:8000/tra-cuu/{key}/" in text.replace(" ", "")
    assert "Thủ tục đăng ký khai sinh" in text
    if due:
        assert due in text
    return text


@pytest.fixture
def online_dossier(procedures: None, people: dict[str, Any], clock: Any, django_user_model: Any):
    """A birth registration submitted online on Monday 16/11/2026 08:00, not yet checked."""
    citizen = django_user_model.objects.create_user("congdan", password="x")
    return dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
    )


def test_receipt_slip_is_the_appointment(counter_dossier, people):
    # What the desk took in and the row of its book, as the receipt records them.
    Dossier.objects.filter(pk=counter_dossier.pk).update(
        book_number=1,
        received_papers=[
            {
                "component": "TP01",
                "name": "Tờ khai đăng ký khai sinh",
                "copy_kind": "original",
                "quantity": 1,
            },
            {
                "component": "TP02",
                "name": "Giấy chứng sinh",
                "copy_kind": "original",
                "quantity": 1,
            },
        ],
    )
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    text = assert_slip(
        FORMS["01"](counter_dossier),
        key="001.03.50.H01-261116-0001",
        due="Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 00 phút, ngày 17/11/2026",
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN" in text  # the desk's parent, above it
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG LONG XUYÊN" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 16/11/2026" in text
    assert "Địa chỉ: 12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang" in text
    assert "1 Tờ khai đăng ký khai sinh Bản chính 01" in text
    assert "2 Giấy chứng sinh Bản chính 01" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: 1 ngày làm việc" in text
    assert "Nhận trực tiếp tại Trung tâm Phục vụ hành chính công phường Long Xuyên" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: ……, Số thứ tự: 01" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Võ Thị Kim Yến Công chức" in text
    assert "tiepnhan.xa" not in text


def test_supplement_request_lists_what_to_add(counter_dossier, people, clock):
    name_officer(people["specialist"], COMMUNE, "specialist", "Huỳnh Văn Đức", "")
    act(counter_dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 10, 0)
    act(
        counter_dossier,
        "request_supplement",
        people["specialist"],
        note="Giấy chứng sinh bị mờ, không đọc được số hiệu",
        items=["Giấy chứng sinh (bản chính, rõ nét)"],
    )
    text = assert_slip(
        supplement_request(counter_dossier),
        key=counter_dossier.code,
        due="Hạn trả kết quả trước khi yêu cầu bổ sung: 08 giờ 00 phút, ngày 17/11/2026",
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Giấy chứng sinh (bản chính, rõ nét)" in text
    assert "Lý do: Giấy chứng sinh bị mờ, không đọc được số hiệu" in text
    assert "Ngày yêu cầu bổ sung: 10 giờ 00 phút, ngày 16/11/2026" in text
    assert "tính lại từ đầu" in text
    assert "liên hệ với Huỳnh Văn Đức" in text  # the guiding officer, by name
    assert "chuyenvien.xa" not in text
    clock.set(2026, 11, 18, 9, 30)
    # The officer who asked decides whether the supplement is complete.
    act(counter_dossier, "complete_supplement", people["specialist"])
    text, _ = read(supplement_request(counter_dossier))  # a reprint tells the new due time
    assert (
        "Đã nhận đủ hồ sơ bổ sung, hoàn thiện lúc 09 giờ 30 phút, ngày 18/11/2026; "
        "hẹn trả kết quả: 09 giờ 30 phút, ngày 19/11/2026" in text
    )


def test_supplement_at_intake_has_a_reference_and_no_due_time(online_dossier, people):
    act(online_dossier, "request_supplement", people["desk"], note="Thiếu Giấy chứng sinh")
    online_dossier.refresh_from_db()
    text = assert_slip(
        supplement_request(online_dossier),
        key=str(online_dossier.reference),
        due=None,
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "Số tham chiếu" in text
    assert "hẹn ngày trả kết quả khi đã nhận đủ hồ sơ bổ sung" in text


def test_refusal_prints_the_reason_as_written(online_dossier, people):
    act(online_dossier, "refuse", people["desk"], note="Thiếu Giấy chứng sinh & tờ khai <chưa ký>")
    online_dossier.refresh_from_db()
    # Refused at intake: never received, so no code and no due time; the reference stands in.
    text = assert_slip(
        refusal(online_dossier),
        key=str(online_dossier.reference),
        due=None,
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thiếu Giấy chứng sinh & tờ khai <chưa ký>" in text
    assert "&amp;" not in text
    assert "Thời gian nộp hồ sơ: 08 giờ 00 phút, ngày 16/11/2026" in text


def test_apology_gives_the_new_date_and_keeps_the_first(counter_dossier, people, clock):
    name_officer(people["leader"], COMMUNE, "leader", "Đặng Quốc Bảo", "Phó Chủ tịch")
    act(counter_dossier, "transfer", people["desk"])
    new_due = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN)
    act(
        counter_dossier,
        "apologize",
        people["leader"],
        note="Chờ Công an tỉnh xác minh thông tin cư trú",
        new_due_at=new_due,
    )
    text = assert_slip(
        apology(counter_dossier),
        key=counter_dossier.code,
        due="sẽ trả kết quả giải quyết hồ sơ cho ông (bà) vào lúc: 16 giờ 00 phút, ngày 20/11/2026",
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 08 giờ 00 phút, ngày 17/11/2026" in text
    assert "Chờ Công an tỉnh xác minh thông tin cư trú" in text
    # Issued by the competent body, whose head signs and seals it.
    assert "ỦY BAN NHÂN DÂN TỈNH AN GIANG ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "Đặng Quốc Bảo Phó Chủ tịch" in text
    assert "lanhdao.xa" not in text


def test_process_control_slip_has_a_row_per_step(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])  # to the police (liên thông)
    act(counter_dossier, "forward", people["police"])
    clock.set(2026, 11, 16, 14, 0)
    act(counter_dossier, "approve", people["leader"])
    act(
        counter_dossier,
        "return_result",
        people["desk"],
        recipient_name="Nguyễn Thị Ánh Tuyết",
        recipient_id_number="089301000123",
    )
    text = assert_slip(
        process_control_slip(counter_dossier),
        key=counter_dossier.code,
        due="Hẹn trả kết quả: 08 giờ 00 phút, ngày 17/11/2026",
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh An Giang" in text
    steps = ["1. Tiếp nhận hồ sơ", "2. Thẩm định hồ sơ", "3. Đăng ký thường trú", "4. Ký duyệt"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "Giao: Tổ chức, cá nhân nộp hồ sơ Nhận: Trung tâm Phục vụ" in text
    assert "Giao: Công an tỉnh An Giang Nhận: Ủy ban nhân dân phường Long Xuyên" in text
    # Each step against its own share: every row prints its step's own ending and outcome.
    for task in ProcessTask.objects.filter(dossier=counter_dossier):
        outcome = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[task.outcome]
        assert f"{vn_time(task.finished_at)} {outcome}" in text
    assert "Tình trạng hồ sơ: Đã trả kết quả; kết quả giải quyết: Trước hạn" in text


def test_stop_notice_gives_the_reason(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 15, 0)
    act(
        counter_dossier,
        "stop",
        people["leader"],
        note="Trẻ đã được đăng ký khai sinh tại nơi khác",
    )
    text = assert_slip(
        stop_notice(counter_dossier),
        key=counter_dossier.code,
        due="hẹn trả kết quả: 08 giờ 00 phút, ngày 17/11/2026",
        place_date="An Giang, ngày 16 tháng 11 năm 2026",
    )
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "kể từ 15 giờ 00 phút, ngày 16/11/2026" in text
    assert "Trẻ đã được đăng ký khai sinh tại nơi khác" in text


def test_forms_that_do_not_apply_are_refused(online_dossier, counter_dossier):
    for form in FORMS.values():  # submitted online, not yet checked: none applies
        with pytest.raises(FormNotAvailableError):
            form(online_dossier)
    assert receipt_slip(counter_dossier) and process_control_slip(counter_dossier)
    for number, message in [
        ("02", "Mẫu 02"),
        ("03", "Mẫu 03"),
        ("04", "Mẫu 04"),
        ("stop", "Thông báo dừng"),
    ]:
        with pytest.raises(FormNotAvailableError, match=message) as caught:
            FORMS[number](counter_dossier)
        assert caught.value.code == "form_not_available"


def receive(people: dict[str, Any], *, desk: str = "desk", code: str = "1.001193") -> Any:
    return dossier_create(
        actor=people[desk],
        procedure_code=code,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def test_tracking_book_lists_the_desk_dossiers_of_the_period(counter_dossier, people, clock):
    clock.set(2026, 11, 17, 9, 0)
    second = receive(people)
    act(second, "transfer", people["desk"])
    other_desk = receive(people, desk="province_desk", code="2.001417")
    clock.set(2026, 11, 18, 6, 30)  # already the 18th in An Giang, still the 17th in UTC
    outside = receive(people)
    desk = Agency.objects.get(code=COMMUNE_CENTER)

    text, sizes = read(
        tracking_book(desk, datetime.date(2026, 11, 16), datetime.date(2026, 11, 17))
    )

    assert_size(sizes, A4_LANDSCAPE)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 16/11/2026 đến ngày 17/11/2026" in text
    assert "Trang 1/1" in text
    dense = "".join(text.split())  # codes wrap in their narrow column
    assert counter_dossier.code in dense and second.code in dense
    assert outside.code not in dense and other_desk.code not in dense
    assert dense.index(counter_dossier.code) < dense.index(second.code)
    assert NAME in text and "Thủ tục đăng ký khai sinh" in text
    assert "08:00 17/11/2026" in text  # the first one's appointment
    assert "09:00 17/11/2026" in text  # the second: received, then transferred at once


def test_tracking_book_queries_do_not_grow_with_the_dossiers(
    counter_dossier, people, django_assert_max_num_queries
):
    desk = Agency.objects.get(code=COMMUNE_CENTER)
    day = datetime.date(2026, 11, 16)
    with CaptureQueriesContext(connection) as few:
        tracking_book(desk, day, day)
    for _ in range(4):
        act(receive(people), "transfer", people["desk"])
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        text, _ = read(tracking_book(desk, day, day))
    assert len(many) == len(few) <= 2
    assert "".join(text.split()).count("001.03.50.H01-261116-") == 5


def test_tracking_book_refuses_a_reversed_period(agencies):
    with pytest.raises(FormNotAvailableError, match="trước ngày kết thúc"):
        tracking_book(
            agencies[COMMUNE_CENTER], datetime.date(2026, 11, 17), datetime.date(2026, 11, 16)
        )


def test_qr_is_an_svg_data_uri():
    uri = qr_svg_data_uri("/tra-cuu/001.03.50.H01-261116-0001/")
    assert uri.startswith("data:image/svg+xml")
    assert uri != qr_svg_data_uri("/tra-cuu/001.03.50.H01-261116-0002/")


@pytest.mark.parametrize("state", ["received", "refused", "supplement", "apology", "stopped"])
def test_forms_available_are_exactly_those_that_print(
    procedures, people, clock, state, django_user_model
):
    from egov.dossiers.printing import FORMS, FormNotAvailableError, forms_available

    if state == "refused":
        citizen = django_user_model.objects.create_user("congdan", password="x")
        dossier = dossier_create(
            actor=citizen,
            procedure_code="1.001193",
            channel="online",
            applicant=CITIZEN,
            return_method="online",
            agency_code="001.03.50.H01",
        )
        act(dossier, "refuse", people["desk"], note="Sai thẩm quyền")
    else:
        dossier = dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
        )
        act(dossier, "transfer", people["desk"])
        if state == "supplement":
            act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy")
        if state == "apology":
            act(
                dossier,
                "apologize",
                people["leader"],
                note="Chờ xác minh",
                new_due_at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=VN),
            )
        if state == "stopped":
            act(dossier, "stop", people["leader"], note="Không đủ điều kiện")
    dossier.refresh_from_db()
    available = forms_available(dossier)
    for form, render in FORMS.items():
        if form in available:
            assert render(dossier)[:5] == b"%PDF-"
        else:
            with pytest.raises(FormNotAvailableError):
                render(dossier)
