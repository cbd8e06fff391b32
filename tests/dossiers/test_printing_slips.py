"""What the slips say about the dossier's papers, its two agencies, its supplement requests
and its hand-overs, read back from the PDF as a person reads the paper."""

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.dossiers.models import Dossier, SupplementRequest
from egov.dossiers.printing import (
    apology,
    process_control_slip,
    receipt_slip,
    stop_notice,
    supplement_request,
)
from egov.dossiers.services import document_attach, dossier_create
from egov.orgs.models import Agency
from tests.conftest import COMMUNE, COMMUNE_CENTER, JUSTICE, POLICE
from tests.dossiers.conftest import CITIZEN, VN, act
from tests.dossiers.test_printing import A5, assert_size, name_officer, read
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


def set_fields(dossier: Any, **fields: Any) -> None:
    """What the receipt records (book number, papers) set on the row, as the engine does."""
    Dossier.objects.filter(pk=dossier.pk).update(**fields)


def attach(dossier: Any, actor: Any, component: str, **flags: Any) -> None:
    document_attach(
        actor=actor,
        key=dossier.code,
        stream=io.BytesIO(PDF),
        name="giay-to.pdf",
        size=len(PDF),
        component=component,
        **flags,
    )


# ------------------------------------------------------------------- Mẫu 01: the papers


def test_receipt_slip_lists_what_the_desk_took_in_not_what_the_procedure_asks(
    counter_dossier,
):
    set_fields(
        counter_dossier,
        received_papers=[
            {
                "component": "TP02",
                "name": "Giấy chứng sinh",
                "copy_kind": "certified_copy",
                "quantity": 2,
            },
            {"component": "", "name": "Giấy tờ khác", "copy_kind": "copy", "quantity": 1},
        ],
    )
    text, _ = read(receipt_slip(counter_dossier))
    assert "1. Thành phần hồ sơ đã nhận gồm:" in text
    assert "1 Giấy chứng sinh Bản sao chứng thực 02" in text
    assert "2 Giấy tờ khác Bản sao 01" in text
    # The declaration form the procedure asks for was not handed in: it is not listed.
    assert "Tờ khai đăng ký khai sinh" not in text


def test_an_older_dossier_lists_its_files_by_component_never_the_procedure_list(
    counter_dossier, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    set_fields(counter_dossier, received_papers=[])  # received before the desk recorded them
    attach(counter_dossier, people["desk"], "TP02", digitised=True)
    attach(counter_dossier, people["desk"], "TP02", digitised=True)
    attach(counter_dossier, people["desk"], "")
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    act(counter_dossier, "forward", people["police"])
    counter_dossier.refresh_from_db()
    attach(counter_dossier, people["leader"], "", is_result=True)  # a result, not a paper
    text, _ = read(receipt_slip(counter_dossier))
    assert "1 Giấy chứng sinh Bản giấy, đã số hóa 02" in text
    assert "2 Giấy tờ khác Bản điện tử 01" in text
    assert "3 " not in text.split("Thành phần hồ sơ đã nhận gồm:")[1].split("2. Số lượng")[0]
    assert "Tờ khai đăng ký khai sinh" not in text


def test_a_dossier_with_nothing_recorded_says_so_and_invents_nothing(counter_dossier):
    set_fields(counter_dossier, received_papers=[])
    text, _ = read(receipt_slip(counter_dossier))
    assert "Chưa ghi nhận thành phần hồ sơ nào khi tiếp nhận." in text
    assert "Tờ khai đăng ký khai sinh" not in text and "Giấy chứng sinh" not in text


def test_hostile_papers_print_as_text(counter_dossier):
    set_fields(
        counter_dossier,
        received_papers=[
            {"name": "<b>Đơn</b> & =cmd|' /C calc'!A0", "copy_kind": "scan", "quantity": "nhiều"},
            "not a paper",
        ],
    )
    text, sizes = read(receipt_slip(counter_dossier))
    assert "1 <b>Đơn</b> & =cmd|' /C calc'!A0 scan nhiều" in text
    assert len(sizes) == 1


# ----------------------------------------------- intake regardless of administrative boundary


@pytest.fixture
def record_at_commune(procedures, people, clock):
    """A judicial record (decided by the Justice Department) received at the ward's desk."""
    return dossier_create(
        actor=people["desk"],
        procedure_code="2.001417",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def test_receipt_and_control_slips_name_the_desk_and_the_deciding_agency(record_at_commune, people):
    assert record_at_commune.competent_agency.code == JUSTICE
    text, _ = read(receipt_slip(record_at_commune))
    assert (
        "Nơi tiếp nhận hồ sơ: Trung tâm Phục vụ hành chính công phường Long Xuyên; "
        "cơ quan giải quyết: Sở Tư pháp tỉnh An Giang" in text
    )
    text, _ = read(process_control_slip(record_at_commune))
    assert "Nơi tiếp nhận hồ sơ: Trung tâm Phục vụ hành chính công phường Long Xuyên" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp tỉnh An Giang" in text


def heading(text: str) -> str:
    """The issuing unit's block: what comes before the look-up address under the QR code."""
    return text.split("http")[0]


def test_each_slip_prints_under_the_agency_that_signs_it(record_at_commune, people, clock):
    name_officer(people["justice_leader"], JUSTICE, "leader", "Phạm Thị Thu Hương", "Phó Giám đốc")
    desk_heading = "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG"
    justice_heading = "ỦY BAN NHÂN DÂN TỈNH AN GIANG SỞ TƯ PHÁP TỈNH AN GIANG"
    assert desk_heading in heading(read(receipt_slip(record_at_commune))[0])
    act(record_at_commune, "transfer", people["desk"])
    act(
        record_at_commune,
        "apologize",
        people["justice_leader"],
        note="Chờ kết quả xác minh của Công an tỉnh",
        new_due_at=datetime.datetime(2026, 12, 4, 16, 0, tzinfo=VN),
    )
    text, _ = read(apology(record_at_commune))
    assert justice_heading in heading(text) and "LONG XUYÊN" not in heading(text)
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Phạm Thị Thu Hương" in text
    assert text.rstrip().endswith("Phạm Thị Thu Hương Phó Giám đốc")
    act(record_at_commune, "stop", people["justice_leader"], note="Không đủ điều kiện cấp")
    text, _ = read(stop_notice(record_at_commune))
    assert justice_heading in heading(text) and "LONG XUYÊN" not in heading(text)
    assert text.rstrip().endswith("Phạm Thị Thu Hương Phó Giám đốc")


# -------------------------------------------------------------- Mẫu 02: the supplement


def ask(dossier: Any, people: dict[str, Any], clock: Any, hour: int, *items: str) -> None:
    clock.set(2026, 11, 16, hour, 0)
    act(dossier, "request_supplement", people["specialist"], note=f"Lý do {hour}", items=items)


def test_supplement_request_prints_the_desk_phone_and_the_deadline(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    ask(counter_dossier, people, clock, 9, "Giấy chứng sinh rõ nét")
    deadline = datetime.datetime(2026, 11, 23, 17, 0, tzinfo=VN)
    SupplementRequest.objects.filter(dossier=counter_dossier).update(deadline=deadline)
    text, _ = read(supplement_request(counter_dossier))
    # No phone recorded for the desk yet: a labelled blank to write it in.
    assert "số điện thoại hỗ trợ: ………………… để được hướng dẫn" in text
    assert "Hạn bổ sung: 17 giờ 00 phút, ngày 23/11/2026" in text
    Agency.objects.filter(code=COMMUNE_CENTER).update(phone="0296 3852 123")
    text, _ = read(supplement_request(counter_dossier))
    assert "số điện thoại hỗ trợ: 0296 3852 123 để được hướng dẫn" in text


def test_supplement_request_without_a_deadline_leaves_it_blank(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    ask(counter_dossier, people, clock, 9, "Giấy chứng sinh rõ nét")
    SupplementRequest.objects.filter(dossier=counter_dossier).update(deadline=None)
    text, _ = read(supplement_request(counter_dossier))
    assert "Hạn bổ sung: ……………………" in text


def test_supplement_request_lists_every_outstanding_request(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    ask(counter_dossier, people, clock, 9, "Giấy chứng sinh rõ nét")
    ask(counter_dossier, people, clock, 10, "Tờ khai có chữ ký")
    first, second = SupplementRequest.objects.filter(dossier=counter_dossier).order_by("pk")
    # Older data: two requests left open side by side (nothing marked the first asked again).
    SupplementRequest.objects.filter(pk=first.pk).update(superseded=False, completed_at=None)
    text, sizes = read(supplement_request(counter_dossier))
    assert len(sizes) == 1
    assert "Yêu cầu thứ 1. Ngày yêu cầu bổ sung: 09 giờ 00 phút, ngày 16/11/2026" in text
    assert "1. Giấy chứng sinh rõ nét Lý do: Lý do 9" in text
    assert "Yêu cầu thứ 2. Ngày yêu cầu bổ sung: 10 giờ 00 phút, ngày 16/11/2026" in text
    assert "1. Tờ khai có chữ ký Lý do: Lý do 10" in text
    # Asked again: the first is superseded and only the second is outstanding.
    SupplementRequest.objects.filter(pk=first.pk).update(superseded=True)
    text, _ = read(supplement_request(counter_dossier))
    assert "Giấy chứng sinh rõ nét" not in text and "Yêu cầu thứ" not in text
    assert "1. Tờ khai có chữ ký" in text
    # A completed request is not outstanding either.
    SupplementRequest.objects.filter(pk=first.pk).update(
        superseded=False, completed_at=timezone.now()
    )
    text, _ = read(supplement_request(counter_dossier))
    assert "Giấy chứng sinh rõ nét" not in text
    assert second.pk  # the one printed


def test_supplement_answered_but_not_yet_checked_says_so(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    ask(counter_dossier, people, clock, 9, "Giấy chứng sinh rõ nét")
    SupplementRequest.objects.filter(dossier=counter_dossier).update(
        answered_at=datetime.datetime(2026, 11, 17, 8, 30, tzinfo=VN)
    )
    text, _ = read(supplement_request(counter_dossier))
    assert "đã nộp bổ sung lúc 08 giờ 30 phút, ngày 17/11/2026, đang chờ kiểm tra" in text


def test_a_dossier_received_after_an_intake_supplement_has_its_receipt_slip(
    procedures, people, clock, django_user_model
):
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    citizen = django_user_model.objects.create_user("congdan", password="x")
    dossier = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
    )
    act(dossier, "request_supplement", people["desk"], note="Thiếu Giấy chứng sinh")
    act(dossier, "complete_supplement", people["desk"])
    dossier.refresh_from_db()
    assert dossier.code is not None
    text, _ = read(receipt_slip(dossier))  # received by completing the supplement
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Võ Thị Kim Yến Công chức" in text


# ------------------------------------------------------------- Mẫu 05: the hand-overs


def test_control_slip_names_who_gives_and_who_receives_with_room_to_sign(
    counter_dossier, people, clock
):
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    name_officer(people["specialist"], COMMUNE, "specialist", "Huỳnh Văn Đức", "Công chức tư pháp")
    name_officer(people["police"], POLICE, "specialist", "Trần Minh Khang", "Cán bộ")
    name_officer(people["leader"], COMMUNE, "leader", "Đặng Quốc Bảo", "Phó Chủ tịch")
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    act(counter_dossier, "forward", people["police"])
    clock.set(2026, 11, 16, 14, 0)
    act(counter_dossier, "approve", people["leader"])
    text, sizes = read(process_control_slip(counter_dossier))
    assert_size(sizes, A5)
    assert len(sizes) == 1  # four hand-overs with names and titles still fit one sheet
    assert "Ký, ghi rõ họ tên Bên giao Bên nhận" in text
    rows = text.split("Bên giao Bên nhận")[1]
    # The applicant hands the dossier to the officer who received it...
    assert "Đúng hạn Nguyễn Thị Ánh Tuyết Võ Thị Kim Yến Công chức" in rows
    # ...who hands it to the commune's specialist, who passes it to the police...
    assert "Võ Thị Kim Yến Công chức Huỳnh Văn Đức Công chức tư pháp 3." in rows
    assert "Huỳnh Văn Đức Công chức tư pháp Trần Minh Khang Cán bộ 4." in rows
    # ...who hands it to the leader who signs.
    assert "Trần Minh Khang Cán bộ Đặng Quốc Bảo Phó Chủ tịch" in rows
    for login in ("tiepnhan.xa", "chuyenvien.xa", "congan", "lanhdao.xa"):
        assert login not in text


def test_control_slip_queries_do_not_grow_with_the_hand_overs(counter_dossier, people, clock):
    with CaptureQueriesContext(connection) as few:
        process_control_slip(counter_dossier)
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    act(counter_dossier, "forward", people["police"])
    with CaptureQueriesContext(connection) as many:
        text, _ = read(process_control_slip(counter_dossier))
    assert "4. Ký duyệt" in text
    assert len(many) == len(few) <= 4
