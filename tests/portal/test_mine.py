"""The applicant's own pages: "Hồ sơ của tôi" and "Giấy tờ của tôi". Dossiers are built by the
real services (online submission, the desk's and the agency's actions); the citizen signs in
through the VNeID service's account code; pages are read as the person reads them."""

import dataclasses
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.accounts.vneid import VneidProfile, citizen_sign_in
from egov.dossiers.models import Dossier, DossierDocument, DossierRating
from egov.dossiers.selectors import WorklistFilters, dossier_worklist
from egov.dossiers.services import ResultFile, dossier_approve, dossier_create
from egov.dossiers.services.drafts import draft_start
from egov.dossiers.services.online import OnlinePaper, dossier_submit_online
from tests.conftest import COMMUNE_CENTER
from tests.dossiers.conftest import CITIZEN, act
from tests.uploads import PDF, PNG, pdf

pytestmark = pytest.mark.django_db

RESULT = pdf(b"% Giay khai sinh ban chinh\n")
STALE = "Hồ sơ vừa thay đổi, hãy xem lại"

PERSON = VneidProfile(
    subject="cd-089301000123",
    kind="person",
    level=2,
    id_number=CITIZEN.id_number,
    full_name=CITIZEN.name,
    birth_date=CITIZEN.birth_date,
    gender="female",
    phone=CITIZEN.phone,
    email=CITIZEN.email,
    address=CITIZEN.street,
    ward_code=CITIZEN.ward_code,
)
NEIGHBOUR = dataclasses.replace(
    PERSON,
    subject="cd-089095000777",
    id_number="089095000777",
    full_name="Trần Văn Hậu",
    birth_date=None,
    gender="male",
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def citizen(db: Any) -> Any:
    return citizen_sign_in(profile=PERSON)


@pytest.fixture
def neighbour(db: Any) -> Any:
    return citizen_sign_in(profile=NEIGHBOUR)


@pytest.fixture
def browser_of(client: Client) -> Any:
    def signed_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return signed_in


def paper(component: str, name: str = "giay-to.pdf", content: bytes = PDF) -> OnlinePaper:
    return OnlinePaper(
        component=component, stream=io.BytesIO(content), name=name, size=len(content)
    )


def upload(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def submit(citizen: Any, return_method: str = "online") -> Dossier:
    return dossier_submit_online(
        actor=citizen,
        procedure_code="1.001193",
        applicant=CITIZEN,
        return_method=return_method,
        agency_code=COMMUNE_CENTER,
        papers=[paper("TP01", "To khai.pdf"), paper("TP02", "Giay chung sinh.pdf")],
        vneid_verified=True,
    )


@pytest.fixture
def submitted(procedures: None, people: dict[str, Any], clock: Any, citizen: Any) -> Dossier:
    return submit(citizen)


@pytest.fixture
def counter_dossier(procedures: None, people: dict[str, Any], clock: Any) -> Dossier:
    """Taken in at the Long Xuyên desk for the same person, who has no account there."""
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def processing(dossier: Dossier, people: dict[str, Any]) -> Dossier:
    act(dossier, "receive", people["desk"])
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    return dossier


def asked_to_supplement(dossier: Dossier, people: dict[str, Any], clock: Any) -> Dossier:
    processing(dossier, people)
    clock.set(2026, 11, 16, 9, 30)
    act(
        dossier,
        "request_supplement",
        people["specialist"],
        note="Giấy chứng sinh bị mờ, không đọc được họ tên người mẹ.",
        items=["Giấy chứng sinh (bản chụp rõ nét)"],
    )
    clock.set(2026, 11, 17, 14, 0)  # the applicant answers the next afternoon
    dossier.refresh_from_db()
    return dossier


def result_ready(dossier: Dossier, people: dict[str, Any]) -> Dossier:
    processing(dossier, people)
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    dossier.refresh_from_db()
    dossier_approve(
        actor=people["leader"],
        key=dossier.code,
        version=dossier.version,
        result=ResultFile(stream=io.BytesIO(RESULT), name="Giay khai sinh.pdf", size=len(RESULT)),
    )
    dossier.refresh_from_db()
    return dossier


def key(dossier: Dossier) -> str:
    return dossier.code or str(dossier.reference)


def page(client: Client, name: str, dossier: Dossier, **params: Any) -> Any:
    return client.get(reverse(f"portal:{name}", args=[key(dossier)]), params)


def html(response: Any) -> str:
    return response.content.decode()


def result_of(dossier: Dossier) -> DossierDocument:
    return dossier.documents.get(is_result=True)


# Who sees what.


def test_the_anonymous_are_sent_to_sign_in_with_vneid_and_back(client, submitted):
    for address in (
        reverse("portal:my_dossiers"),
        reverse("portal:my_dossier", args=[key(submitted)]),
        reverse("portal:my_documents"),
    ):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"] == "/dang-nhap/vneid/?next=" + address.replace("/", "%2F")
    posted = client.post(reverse("portal:my_withdraw", args=[key(submitted)]), {"ly_do": "x"})
    assert posted.status_code == 302 and posted["Location"].startswith("/dang-nhap/vneid/")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_owner_follows_a_submitted_dossier(browser_of, submitted, citizen):
    client = browser_of(citizen)
    listed = html(client.get(reverse("portal:my_dossiers")))
    assert "Thủ tục đăng ký khai sinh" in listed
    assert "Số tham chiếu" in listed and str(submitted.reference) in listed
    assert "Chờ tiếp nhận" in listed
    assert "Có khi hồ sơ được tiếp nhận" in listed

    detail = client.get(reverse("portal:my_dossier", args=[str(submitted.reference)]))
    assert detail.status_code == 200
    text = html(detail)
    assert "Bạn đã nộp hồ sơ trực tuyến" in text
    assert "Bộ phận Một cửa đang kiểm tra hồ sơ" in text
    assert "Trung tâm Phục vụ hành chính công phường Long Xuyên" in text
    assert (
        "Uỷ ban nhân dân phường Long Xuyên" in text or "Ủy ban nhân dân phường Long Xuyên" in text
    )
    assert "To-khai.pdf" in text and "Giay-chung-sinh.pdf" in text
    assert 'href="/ho-so-cua-toi/' + str(submitted.reference) + '/rut/"' in text
    assert detail["Cache-Control"].startswith("max-age=0")


def test_open_drafts_are_listed_to_resume(browser_of, procedures, clock, citizen, neighbour):
    draft = draft_start(actor=citizen, procedure_code="1.001193")
    draft_start(actor=neighbour, procedure_code="2.001417")
    listed = html(browser_of(citizen).get(reverse("portal:my_dossiers")))
    assert "Hồ sơ đang soạn, chưa nộp" in listed
    assert f'href="/ho-so-nhap/{draft.uuid}/"' in listed
    assert "Cấp Phiếu lý lịch tư pháp" not in listed
    assert "Bạn chưa có hồ sơ nào" in listed


@pytest.mark.parametrize("number", ["abc", "0", "-1", "99999", "1" * 5000])
def test_any_page_number_gives_a_page(browser_of, submitted, citizen, number):
    client = browser_of(citizen)
    for name in ("portal:my_dossiers", "portal:my_documents"):
        response = client.get(reverse(name), {"trang": number})
        assert response.status_code == 200


def test_another_citizen_gets_not_found_everywhere(browser_of, submitted, neighbour):
    client = browser_of(neighbour)
    assert "Thủ tục đăng ký khai sinh" not in html(client.get(reverse("portal:my_dossiers")))
    document = submitted.documents.first()
    for address in (
        reverse("portal:my_dossier", args=[key(submitted)]),
        reverse("portal:my_supplement", args=[key(submitted)]),
        reverse("portal:my_withdraw", args=[key(submitted)]),
        reverse("portal:my_rate", args=[key(submitted)]),
        reverse("portal:my_download", args=[key(submitted), document.uuid]),
        reverse("portal:my_document", args=[document.uuid]),
    ):
        assert client.get(address).status_code == 404, address
    response = client.post(reverse("portal:my_withdraw", args=[key(submitted)]), {"ly_do": "x"})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_staff_are_pointed_to_the_desk(client, submitted, people):
    client.force_login(people["desk"])
    response = client.get(reverse("portal:my_dossier", args=[key(submitted)]))
    assert response.status_code == 403
    assert "Hồ sơ cần xử lý" in html(response)
    assert "Bạn đã nộp hồ sơ trực tuyến" not in html(response)


def test_level_two_sees_a_counter_dossier_of_their_id_and_level_one_does_not(
    client, counter_dossier, citizen
):
    client.force_login(citizen)
    assert counter_dossier.code in html(client.get(reverse("portal:my_dossiers")))
    detail = client.get(reverse("portal:my_dossier", args=[counter_dossier.code]))
    assert "Hồ sơ được nộp tại Bộ phận Một cửa" in html(detail)
    weak = citizen_sign_in(profile=dataclasses.replace(PERSON, subject="cd-weak", level=1))
    client.force_login(weak)
    assert counter_dossier.code not in html(client.get(reverse("portal:my_dossiers")))
    assert client.get(reverse("portal:my_dossier", args=[counter_dossier.code])).status_code == 404


# Answering a supplement request.


def test_supplement_upload_send_and_the_officer_sees_it(
    browser_of, submitted, people, citizen, clock
):
    dossier = asked_to_supplement(submitted, people, clock)
    client = browser_of(citizen)
    listed = html(client.get(reverse("portal:my_dossiers")))
    assert 'class="needs-action"' in listed and "Cần bổ sung giấy tờ" in listed

    detail = html(page(client, "my_dossier", dossier))
    assert "Giấy chứng sinh bị mờ" in detail and "Giấy chứng sinh (bản chụp rõ nét)" in detail
    form = html(page(client, "my_supplement", dossier))
    assert "Hạn bổ sung" in form and 'name="thanh_phan" value="TP02"' in form

    uploaded = client.post(
        reverse("portal:my_supplement", args=[key(dossier)]),
        {
            "buoc": "tai-len",
            "version": dossier.version,
            "thanh_phan": "TP02",
            "tep": [upload("Giấy chứng sinh 1.pdf"), upload("Giấy chứng sinh 2.pdf")],
        },
    )
    assert uploaded.status_code == 302
    added = dossier.documents.filter(uploaded_by=citizen, component="TP02")
    assert added.count() == 3  # the one submitted and the two added
    assert "Giay-chung-sinh-1.pdf" in html(page(client, "my_supplement", dossier))

    check = html(page(client, "my_supplement", dossier, buoc="kiem-tra"))
    assert "Kiểm tra và gửi bổ sung" in check and "Gửi bổ sung" in check
    sent = client.post(
        reverse("portal:my_supplement", args=[key(dossier)]),
        {"buoc": "gui", "version": dossier.version, "ghi_chu": "Đã chụp lại bản rõ nét."},
    )
    assert sent.status_code == 302
    done = html(client.get(sent["Location"]))
    assert "Đã gửi bổ sung" in done and "Chờ cán bộ kiểm tra" in done

    dossier.refresh_from_db()
    assert dossier.status == "supplement_requested"
    supplement = dossier.supplements.get()
    assert supplement.answered_at is not None
    event = dossier.events.get(action="submit_supplement")
    assert event.actor == citizen and event.note == "Đã chụp lại bản rõ nét."
    # The officer who asked finds it under "Việc của tôi".
    mine = dossier_worklist(
        actor=people["specialist"], filters=WorklistFilters(tab="mine"), after=None, limit=50
    )
    assert dossier in mine
    listed = html(client.get(reverse("portal:my_dossiers")))
    assert "Đã gửi bổ sung, chờ cán bộ kiểm tra" in listed
    # Sending again changes nothing.
    again = client.post(
        reverse("portal:my_supplement", args=[key(dossier)]),
        {"buoc": "gui", "version": dossier.version},
    )
    assert again.status_code == 409
    assert dossier.events.filter(action="submit_supplement").count() == 1


def test_supplement_form_problems_are_summarised_and_linked(
    browser_of, submitted, people, citizen, clock
):
    dossier = asked_to_supplement(submitted, people, clock)
    client = browser_of(citizen)
    address = reverse("portal:my_supplement", args=[key(dossier)])
    before = dossier.documents.count()

    empty = client.post(address, {"buoc": "tai-len", "version": dossier.version})
    assert empty.status_code == 422
    text = html(empty)
    assert 'class="error-summary"' in text
    assert 'href="#thanh_phan"' in text and 'href="#tep"' in text
    assert 'aria-describedby="tep-goi-y tep-loi"' in text

    disguised = client.post(
        address,
        {
            "buoc": "tai-len",
            "version": dossier.version,
            "thanh_phan": "TP02",
            "tep": upload("giay-to.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert disguised.status_code == 422
    assert "Nội dung tệp không đúng với phần mở rộng" in html(disguised)

    unknown = client.post(
        address,
        {
            "buoc": "tai-len",
            "version": dossier.version,
            "thanh_phan": "TP99",
            "tep": upload("giay-to.pdf"),
        },
    )
    assert unknown.status_code == 422 and "Chọn loại giấy tờ" in html(unknown)

    stale = client.post(
        address,
        {
            "buoc": "tai-len",
            "version": dossier.version - 1,
            "thanh_phan": "TP02",
            "tep": upload("giay-to.pdf"),
        },
    )
    assert stale.status_code == 409 and STALE in html(stale)

    nothing = client.post(address, {"buoc": "gui", "version": dossier.version})
    assert nothing.status_code == 422 and 'href="#ghi_chu"' in html(nothing)
    long_note = client.post(
        address, {"buoc": "gui", "version": dossier.version, "ghi_chu": "x" * 5000}
    )
    assert long_note.status_code == 422 and "Ghi chú tối đa 1.000 ký tự" in html(long_note)
    stale_send = client.post(
        address, {"buoc": "gui", "version": "9" * 5000, "ghi_chu": "Đã bổ sung"}
    )
    assert stale_send.status_code == 409 and STALE in html(stale_send)

    assert dossier.documents.count() == before
    dossier.refresh_from_db()
    assert dossier.supplements.get().answered_at is None


def test_no_supplement_to_answer_says_so(browser_of, submitted, citizen):
    client = browser_of(citizen)
    assert "không có yêu cầu bổ sung" in html(page(client, "my_supplement", submitted)).lower()
    posted = client.post(
        reverse("portal:my_supplement", args=[key(submitted)]),
        {
            "buoc": "tai-len",
            "version": submitted.version,
            "thanh_phan": "TP02",
            "tep": upload("giay-to.pdf"),
        },
    )
    assert posted.status_code == 409


def test_a_supplement_asked_at_intake_is_sent_back_to_the_desk(
    browser_of, submitted, people, citizen, clock
):
    act(submitted, "request_supplement", people["desk"], note="Thiếu giấy chứng sinh bản chính.")
    clock.set(2026, 11, 16, 15, 0)
    client = browser_of(citizen)
    address = reverse("portal:my_supplement", args=[key(submitted)])
    form = html(client.get(address))
    assert "Thiếu giấy chứng sinh bản chính." in form
    submitted.refresh_from_db()
    uploaded = client.post(
        address,
        {
            "buoc": "tai-len",
            "version": submitted.version,
            "thanh_phan": "khac",
            "tep": upload("a.png", PNG),
        },
    )
    assert uploaded.status_code == 302
    assert submitted.documents.filter(component="", name="a.png").exists()
    submitted.refresh_from_db()
    sent = client.post(address, {"buoc": "gui", "version": submitted.version, "ghi_chu": "Xong"})
    assert sent.status_code in (200, 302)
    # The reception officer who asked finds it under "Việc của tôi" and receives it.
    assert submitted.events.filter(action="submit_supplement").exists()
    mine = dossier_worklist(
        actor=people["desk"], filters=WorklistFilters(tab="mine"), after=None, limit=50
    )
    assert submitted in list(mine)


# Withdrawing.


def test_withdraw_with_a_reason(browser_of, submitted, people, citizen):
    dossier = processing(submitted, people)
    client = browser_of(citizen)
    address = reverse("portal:my_withdraw", args=[key(dossier)])
    assert "Vì sao bạn rút hồ sơ?" in html(client.get(address))

    hidden = client.post(address, {"version": dossier.version, "ly_do": "Lý\x00 do"})
    assert hidden.status_code == 400 and "ký tự điều khiển" in html(hidden)
    missing = client.post(address, {"version": dossier.version, "ly_do": "   "})
    assert missing.status_code == 422 and 'href="#ly_do"' in html(missing)
    stale = client.post(address, {"version": dossier.version - 1, "ly_do": "Đã làm ở nơi khác"})
    assert stale.status_code == 409 and STALE in html(stale)
    assert "Đã làm ở nơi khác" in html(stale)  # nothing typed is lost
    dossier.refresh_from_db()
    assert dossier.status == "processing"

    done = client.post(address, {"version": dossier.version, "ly_do": "Đã làm ở nơi khác"})
    assert done.status_code == 302
    assert "Đã rút hồ sơ" in html(client.get(done["Location"]))
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn"
    assert dossier.events.get(action="withdraw").note == "Đã làm ở nơi khác"
    detail = html(page(client, "my_dossier", dossier))
    assert "Hồ sơ đã được rút theo yêu cầu" in detail and "/rut/" not in detail
    again = client.post(address, {"version": dossier.version, "ly_do": "Lần nữa"})
    assert again.status_code == 409
    assert dossier.events.filter(action="withdraw").count() == 1


def test_a_dossier_with_its_result_cannot_be_withdrawn(browser_of, submitted, people, citizen):
    dossier = result_ready(submitted, people)
    client = browser_of(citizen)
    assert "Không rút được hồ sơ này" in html(page(client, "my_withdraw", dossier))
    posted = client.post(
        reverse("portal:my_withdraw", args=[key(dossier)]),
        {"version": dossier.version, "ly_do": "Không cần nữa"},
    )
    assert posted.status_code == 409
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"


# The result.


def test_downloading_an_online_result_returns_it_once(browser_of, submitted, people, citizen):
    dossier = result_ready(submitted, people)
    client = browser_of(citizen)
    detail = html(page(client, "my_dossier", dossier))
    assert "Đã có kết quả. Bạn tải kết quả điện tử dưới đây." in detail
    assert "Tải kết quả: Giay-khai-sinh.pdf" in detail
    result = result_of(dossier)
    address = reverse("portal:my_download", args=[key(dossier), result.uuid])

    # A link followed (or planted on another site) returns nothing: it asks for the button.
    asked = client.get(address)
    assert asked.status_code == 200 and "Tải kết quả giải quyết" in html(asked)
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"

    stale = client.post(address, {"version": dossier.version - 1})
    assert stale.status_code == 409 and STALE in html(stale)

    first = client.post(address, {"version": dossier.version})
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == RESULT
    assert first["Content-Disposition"].startswith('attachment; filename="Giay-khai-sinh.pdf"')
    assert first["X-Content-Type-Options"] == "nosniff"
    dossier.refresh_from_db()
    assert dossier.status == "returned" and dossier.returned_at is not None

    # Later downloads (an old page's button, a link, "Giấy tờ của tôi") just serve the file.
    again = client.post(address, {"version": dossier.version - 1})
    assert b"".join(again.streaming_content) == RESULT
    assert b"".join(client.get(address).streaming_content) == RESULT
    mine = client.get(reverse("portal:my_document", args=[result.uuid]))
    assert b"".join(mine.streaming_content) == RESULT
    assert dossier.events.filter(action="return_result").count() == 1
    assert "Đã trả kết quả" in html(page(client, "my_dossier", dossier))


def test_an_electronic_result_not_yet_downloaded_is_not_in_my_documents(
    browser_of, submitted, people, citizen
):
    """Reusing it would hand the result over without recording its return: it is listed
    once the applicant has downloaded it from the dossier's page."""
    dossier = result_ready(submitted, people)
    client = browser_of(citizen)
    listed = html(client.get(reverse("portal:my_documents")))
    assert "Giay-khai-sinh.pdf" not in listed
    assert "Bạn tự tải lên" in listed
    result = result_of(dossier)
    assert client.get(reverse("portal:my_document", args=[result.uuid])).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"


def test_a_counter_result_is_downloaded_without_returning_it(
    browser_of, procedures, people, clock, citizen
):
    dossier = result_ready(submit(citizen, return_method="counter"), people)
    client = browser_of(citizen)
    detail = html(page(client, "my_dossier", dossier))
    assert "Mời bạn mang giấy tờ tùy thân" in detail
    assert "Đến nơi tiếp nhận để nhận kết quả" in html(client.get(reverse("portal:my_dossiers")))
    response = client.get(
        reverse("portal:my_download", args=[key(dossier), result_of(dossier).uuid])
    )
    assert b"".join(response.streaming_content) == RESULT
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"


# Rating.


def returned(dossier: Dossier, people: dict[str, Any]) -> Dossier:
    result_ready(dossier, people)
    act(dossier, "return_result", people["desk"])
    dossier.refresh_from_db()
    return dossier


def test_rating_once_with_thanks(browser_of, submitted, people, citizen):
    dossier = returned(submitted, people)
    client = browser_of(citizen)
    assert "Đánh giá việc giải quyết" in html(page(client, "my_dossier", dossier))
    form = html(page(client, "my_rate", dossier))
    assert "Sớm hơn hạn" in form and "Không lần nào" in form and "Bình thường" in form
    address = reverse("portal:my_rate", args=[key(dossier)])

    answers = {"time_taken": "2", "desk_contacts": "1", "bodies_contacted": "2", "attitude": "2"}
    done = client.post(address, {**answers, "gop_y": "Cán bộ hướng dẫn tận tình."})
    assert done.status_code == 302
    thanks = html(client.get(done["Location"]))
    assert "Cảm ơn bạn đã đánh giá" in thanks and "Cán bộ hướng dẫn tận tình." in thanks
    rating = DossierRating.objects.get(dossier=dossier)
    assert (rating.time_taken, rating.desk_contacts, rating.total) == (2, 1, 7)
    assert rating.by == citizen

    again = client.post(address, {**answers, "time_taken": "0"})
    assert again.status_code == 409
    assert DossierRating.objects.get(dossier=dossier).time_taken == 2
    assert "7/8 điểm" in html(page(client, "my_dossier", dossier))


def test_bad_ratings_get_the_error_summary(browser_of, submitted, people, citizen):
    dossier = returned(submitted, people)
    client = browser_of(citizen)
    address = reverse("portal:my_rate", args=[key(dossier)])
    bad = client.post(
        address,
        {"time_taken": "7", "desk_contacts": "-1", "bodies_contacted": "1e9", "attitude": "2"},
    )
    assert bad.status_code == 422
    text = html(bad)
    assert 'class="error-summary"' in text
    for field in ("time_taken", "desk_contacts", "bodies_contacted"):
        assert f'href="#{field}"' in text
        assert f'id="{field}-loi"' in text
    assert 'href="#attitude"' not in text
    assert "Chọn câu trả lời cho “Thời gian giải quyết so với thời hạn hẹn trả”." in text
    assert 'value="2" id="attitude" checked' in text  # what was chosen stays chosen

    answers = {"time_taken": "2", "desk_contacts": "2", "bodies_contacted": "2", "attitude": "2"}
    huge = client.post(address, {**answers, "gop_y": "Ý kiến " * 2000})
    assert huge.status_code == 422
    assert "Góp ý tối đa 2000 ký tự" in html(huge) and 'href="#gop_y"' in html(huge)
    assert not DossierRating.objects.filter(dossier=dossier).exists()


def test_rating_waits_for_the_outcome(browser_of, submitted, citizen):
    client = browser_of(citizen)
    assert "Chưa đánh giá được hồ sơ này" in html(page(client, "my_rate", submitted))
    posted = client.post(
        reverse("portal:my_rate", args=[key(submitted)]),
        {"time_taken": "2", "desk_contacts": "2", "bodies_contacted": "2", "attitude": "2"},
    )
    assert posted.status_code == 409
    assert not DossierRating.objects.exists()


# Hostile input.


@pytest.mark.parametrize(
    "address",
    [
        "/ho-so-cua-toi/000.00.00.H01-261116-9999/",
        "/ho-so-cua-toi/not-a-uuid/tep/also-not/",
        "/ho-so-cua-toi/" + "9" * 5000 + "/",
        "/giay-to-cua-toi/not-a-uuid/",
        "/giay-to-cua-toi/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_unknown_and_malformed_keys_are_not_found(browser_of, submitted, citizen, address):
    response = browser_of(citizen).get(address)
    assert response.status_code == 404
    assert "Không tìm thấy" in html(response)


@pytest.mark.parametrize("address", ["/ho-so-cua-toi/%00/", "/giay-to-cua-toi/%00/"])
def test_an_address_with_a_control_character_is_refused(browser_of, citizen, address):
    response = browser_of(citizen).get(address)
    assert response.status_code == 400 and "ký tự điều khiển" in html(response)


def test_a_foreign_document_under_my_dossier_is_not_found(
    browser_of, submitted, neighbour, citizen, procedures
):
    theirs = submit(neighbour)
    foreign = theirs.documents.first()
    client = browser_of(citizen)
    response = client.get(reverse("portal:my_download", args=[key(submitted), foreign.uuid]))
    assert response.status_code == 404
    assert client.get(reverse("portal:my_document", args=[foreign.uuid])).status_code == 404


def test_an_officers_working_file_is_not_the_applicants(browser_of, submitted, people, citizen):
    from egov.dossiers.services import document_attach

    dossier = processing(submitted, people)
    working = document_attach(
        actor=people["specialist"],
        key=key(dossier),
        stream=io.BytesIO(PDF),
        name="Bien ban tham dinh.pdf",
        size=len(PDF),
    )
    client = browser_of(citizen)
    assert "Bien-ban-tham-dinh.pdf" not in html(page(client, "my_dossier", dossier))
    address = reverse("portal:my_download", args=[key(dossier), working.uuid])
    assert client.get(address).status_code == 404


def test_changes_need_the_csrf_token(submitted, citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(
        reverse("portal:my_withdraw", args=[key(submitted)]),
        {"version": submitted.version, "ly_do": "Không cần nữa"},
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_only_get_and_post(browser_of, submitted, citizen):
    client = browser_of(citizen)
    assert client.put(reverse("portal:my_withdraw", args=[key(submitted)])).status_code == 405
    assert client.post(reverse("portal:my_dossier", args=[key(submitted)])).status_code == 405


# Query budgets: the pages cost the same at 10 dossiers as at 30.


def many(citizen: Any, count: int) -> None:
    for _ in range(count):
        dossier_create(
            actor=citizen,
            procedure_code="1.001193",
            channel="online",
            applicant=CITIZEN,
            return_method="online",
            agency_code=COMMUNE_CENTER,
        )


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_at_10_and_30_dossiers(
    browser_of, procedures, people, clock, citizen
):
    many(citizen, 9)
    dossier = submit(citizen)
    asked_to_supplement(dossier, people, clock)
    client = browser_of(citizen)
    address = reverse("portal:my_dossiers")
    at_10 = queries(client, address)
    many(citizen, 20)
    at_30 = queries(client, address)
    assert at_10 == at_30 <= 12
    assert html(client.get(address)).count("<li") >= 20  # a full page
    assert "Trang 1/2" in html(client.get(address))


def test_my_documents_costs_the_same_at_10_and_30_papers(browser_of, procedures, clock, citizen):
    client = browser_of(citizen)
    for _ in range(5):
        submit(citizen)  # two papers each
    address = reverse("portal:my_documents")
    at_10 = queries(client, address)
    for _ in range(10):
        submit(citizen)
    at_30 = queries(client, address)
    assert at_10 == at_30 <= 10


# In a browser on a small phone: the journeys work at 360 px and axe finds nothing serious.


def signed_in_phone(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def check_page(page: Any) -> None:
    """No serious or critical accessibility problem, and nothing wider than the screen."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_citizen_answers_a_supplement_on_a_phone(live_server, browser, procedures, people):
    citizen = citizen_sign_in(profile=PERSON)
    dossier = submit(citizen)
    processing(dossier, people)
    act(
        dossier,
        "request_supplement",
        people["specialist"],
        note="Giấy chứng sinh bị mờ.",
        items=["Giấy chứng sinh (bản chụp rõ nét)"],
    )
    context = signed_in_phone(browser, live_server, citizen)
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:my_dossiers"))
    page.get_by_text("Cần bổ sung giấy tờ").wait_for()
    check_page(page)

    page.get_by_role("link", name="Thủ tục đăng ký khai sinh").click()
    page.get_by_role("heading", name="Yêu cầu bổ sung").wait_for()
    check_page(page)

    page.get_by_role("button", name="Bổ sung hồ sơ").first.click()
    page.get_by_role("button", name="Tải lên").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Chọn loại giấy tờ bạn tải lên." in summary.inner_text()
    check_page(page)
    summary.get_by_role("link", name="Chọn loại giấy tờ bạn tải lên.").click()
    assert page.evaluate("document.activeElement.id") == "thanh_phan"

    page.get_by_label("Giấy chứng sinh").check()
    page.get_by_label("Tệp giấy tờ").set_input_files(
        [{"name": "Giấy chứng sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Tải lên").click()
    page.get_by_text("Đã tải lên: Giay-chung-sinh.pdf.").wait_for()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("heading", name="Kiểm tra và gửi bổ sung").wait_for()
    check_page(page)
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.get_by_role("heading", name="Đã gửi bổ sung").wait_for()
    check_page(page)
    dossier.refresh_from_db()
    assert dossier.supplements.get().answered_at is not None
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_citizen_downloads_the_result_and_rates_on_a_phone(
    live_server, browser, procedures, people
):
    citizen = citizen_sign_in(profile=PERSON)
    dossier = result_ready(submit(citizen), people)
    context = signed_in_phone(browser, live_server, citizen)
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:my_dossier", args=[key(dossier)]))
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải kết quả: Giay-khai-sinh.pdf").click()
    assert download.value.suggested_filename == "Giay-khai-sinh.pdf"
    dossier.refresh_from_db()
    assert dossier.status == "returned"

    page.goto(live_server.url + reverse("portal:my_rate", args=[key(dossier)]))
    check_page(page)
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.locator(".error-summary").wait_for()
    check_page(page)
    page.get_by_label("Sớm hơn hạn").check()
    page.get_by_label("Không lần nào").check()
    page.get_by_label("Không phải liên hệ cơ quan nào").check()
    page.get_by_label("Bình thường").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_role("heading", name="Cảm ơn bạn đã đánh giá").wait_for()
    check_page(page)

    page.goto(live_server.url + reverse("portal:my_documents"))
    check_page(page)
    page.goto(live_server.url + reverse("portal:my_withdraw", args=[key(submit(citizen))]))
    check_page(page)
    context.close()
