"""The /api/v1/ contract: tokens, procedures, agencies, dossiers, actions, public look-up."""

import datetime
import json

import pytest
from django.utils import timezone

from egov.dossiers.models import ClockState, Dossier
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BODY = {
    "procedure": "1.001193",
    "channel": "counter",
    "return_method": "counter",
    "applicant": {
        "type": 1,
        "full_name": "Nguyễn Thị Ánh Tuyết",
        "id_number": "089301000123",
        "date_of_birth": "2001-05-17",
        "gender": "female",
        "phone": "0912345678",
        "email": "tuyet@example.vn",
        "address": {"ward_code": 30307, "street": "12 Trần Hưng Đạo"},
    },
    "form_data": {"child_full_name": "Trần Gia Bảo"},
    # Every mandatory paper, as a desk that received it lists them (Mẫu 01).
    "papers": [{"component": "TP01"}, {"component": "TP02"}],
}


def bearer(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def post(client, url: str, body: dict, headers: dict):
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def desk(client, people, procedures, clock):
    return bearer(client, "tiepnhan.xa")


def test_token_needs_the_right_password(client, people):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "tiepnhan.xa", "password": "sai"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_no_token_no_dossiers(client, people):
    response = client.get("/api/v1/dossiers")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = client.get("/api/v1/dossiers", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401


def test_reception_officer_receives_a_counter_dossier(client, desk):
    response = post(client, "/api/v1/dossiers", BODY, desk)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"] == "001.03.50.H01-261116-0001"
    assert (data["status"], data["status_code"]) == ("received", 2)
    assert datetime.datetime.fromisoformat(data["received_at"]) == datetime.datetime(
        2026, 11, 16, 1, 0, tzinfo=datetime.UTC
    )
    assert data["due_at"] and data["version"] == 2
    assert data["current_task"]["agency"] == "001.03.50.H01"
    assert data["applicant"]["full_name"] == "Nguyễn Thị Ánh Tuyết"


def test_bad_input_is_a_structured_vietnamese_error_and_changes_nothing(client, desk):
    wrong = {**BODY, "applicant": {**BODY["applicant"], "id_number": "123"}}
    response = post(client, "/api/v1/dossiers", wrong, desk)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_applicant"
    assert "12 chữ số" in error["fields"]["applicant.id_number"]
    shape = post(client, "/api/v1/dossiers", {**BODY, "channel": "fax"}, desk)
    assert shape.status_code == 422
    assert shape.json()["error"]["code"] == "invalid_input"
    assert "channel" in next(iter(shape.json()["error"]["fields"]))
    unknown = post(client, "/api/v1/dossiers", {**BODY, "procedure": "9.999999"}, desk)
    assert unknown.status_code == 404
    assert not Dossier.objects.exists()


def test_actions_answer_409_422_403_404(client, desk, people):
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    url = f"/api/v1/dossiers/{code}/actions"
    stale = post(client, f"{url}/transfer", {"version": 1}, desk)  # it moved on to 2
    assert stale.status_code == 409
    illegal = post(client, f"{url}/return_result", {"version": 2}, desk)
    assert illegal.status_code == 422 and illegal.json()["error"]["code"] == "illegal_action"
    specialist = bearer(client, "chuyenvien.xa")
    forbidden = post(client, f"{url}/transfer", {"version": 2}, specialist)
    assert forbidden.status_code == 403
    stranger = bearer(client, "chuyenvien.stp")
    hidden = post(client, f"{url}/transfer", {"version": 2}, stranger)
    assert hidden.status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}", headers=stranger).status_code == 404
    done = post(client, f"{url}/transfer", {"version": 2}, desk)
    assert done.status_code == 200 and done.json()["status"] == "processing"
    assert done.json()["current_task"]["position"] == 2
    unknown_action = post(client, f"{url}/fly", {"version": 3}, desk)
    assert unknown_action.status_code == 422


def test_events_tell_the_story(client, desk):
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    post(client, f"/api/v1/dossiers/{code}/actions/transfer", {"version": 2}, desk)
    events = client.get(f"/api/v1/dossiers/{code}/events", headers=desk).json()
    assert [e["action"] for e in events] == ["submit", "receive", "transfer"]
    assert events[0]["actor"] == "tiepnhan.xa"


def test_worklist_filters_pages_and_keeps_its_query_count(
    client, desk, people, django_assert_max_num_queries
):
    for _ in range(5):
        post(client, "/api/v1/dossiers", BODY, desk)
    with django_assert_max_num_queries(6):  # auth, roles, the page; not one per dossier
        page = client.get("/api/v1/dossiers?limit=3", headers=desk).json()
    assert [item["code"][-4:] for item in page["items"]] == ["0005", "0004", "0003"]
    rest = client.get(f"/api/v1/dossiers?limit=3&cursor={page['next_cursor']}", headers=desk)
    assert [item["code"][-4:] for item in rest.json()["items"]] == ["0002", "0001"]
    assert rest.json()["next_cursor"] is None
    found = client.get("/api/v1/dossiers?search=089301000123", headers=desk).json()
    assert len(found["items"]) == 5
    none = client.get("/api/v1/dossiers?status=returned", headers=desk).json()
    assert none["items"] == []
    # Someone from another agency sees none of them.
    assert (
        client.get("/api/v1/dossiers", headers=bearer(client, "chuyenvien.stp")).json()["items"]
        == []
    )


def test_public_lookup_shows_no_personal_data_and_is_rate_limited(client, desk, settings):
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    response = client.get(f"/api/v1/public/dossiers/{code}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"code", "status", "status_code", "status_label", "procedure", "due_at"}
    assert "Tuyết" not in response.content.decode()
    assert client.get("/api/v1/public/dossiers/000.00.00.H01-000000-0000").status_code == 404
    statuses = {client.get(f"/api/v1/public/dossiers/{code}").status_code for _ in range(40)}
    assert 429 in statuses


def test_procedures_and_agencies_are_public(client, procedures):
    found = client.get("/api/v1/procedures?search=dang ky khai sinh").json()
    assert found["count"] == 1 and found["items"][0]["national_code"] == "1.001193"
    one = client.get("/api/v1/procedures/2.001417").json()
    assert one["steps"][1]["agency"] == "000.00.13.H01" and one["version"] == 1
    agencies = client.get("/api/v1/agencies").json()
    assert {
        "code": "000.03.50.H01",
        "code_qd20": "H01.50.03",
        "kind": "commune_committee",
        "name": "Ủy ban nhân dân phường Long Xuyên",
        "parent": "000.00.00.H01",
    } in agencies
    assert client.get("/api/v1/procedures/9.999999").status_code == 404


def test_openapi_and_docs_without_a_cdn(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/dossiers/{key}/actions/{action}" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()


def test_forms_print_for_who_may_see(client, desk):
    from io import BytesIO

    from pypdf import PdfReader

    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    response = client.get(f"/api/v1/dossiers/{code}/forms/01.pdf", headers=desk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert code in text and "Nguyễn Thị Ánh Tuyết" in text
    not_yet = client.get(f"/api/v1/dossiers/{code}/forms/04.pdf", headers=desk)
    assert not_yet.status_code == 422 and not_yet.json()["error"]["code"] == "form_not_available"
    assert client.get(f"/api/v1/dossiers/{code}/forms/07.pdf", headers=desk).status_code == 422
    stranger = bearer(client, "chuyenvien.stp")
    assert client.get(f"/api/v1/dossiers/{code}/forms/01.pdf", headers=stranger).status_code == 404


def test_tracking_book_for_the_desk_only(client, desk):
    from io import BytesIO

    from pypdf import PdfReader

    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    url = "/api/v1/agencies/001.03.50.H01/tracking-book.pdf?from=2026-11-01&to=2026-11-30"
    response = client.get(url, headers=desk)
    assert response.status_code == 200
    assert code in PdfReader(BytesIO(response.content)).pages[0].extract_text()
    other = bearer(client, "chuyenvien.stp")
    assert client.get(url, headers=other).status_code == 404
    too_long = url.replace("from=2026-11-01", "from=2020-01-01")
    assert client.get(too_long, headers=desk).status_code == 422


def test_form_data_follows_the_procedures_e_form(client, desk):
    wrong = {**BODY, "form_data": {"child_gender": "robot", "hobby": "bóng đá"}}
    response = post(client, "/api/v1/dossiers", wrong, desk)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["form_data.child_gender"] == "không có trong danh sách lựa chọn"
    assert fields["form_data.hobby"] == "không có trong tờ khai của thủ tục"
    assert not Dossier.objects.exists()


def test_overdue_dossiers_come_longest_overdue_first_page_by_page(client, desk):
    codes = [post(client, "/api/v1/dossiers", BODY, desk).json()["code"] for _ in range(6)]
    now = timezone.now()
    # Overdue by these many hours (two by the same), and one still in time.
    for code, hours in zip(codes, [5, 30, 1, 30, 12, -4], strict=True):
        Dossier.objects.filter(code=code).update(
            due_at=now - datetime.timedelta(hours=hours), clock_state=ClockState.RUNNING
        )
    seen, cursor = [], ""
    for _ in range(3):
        page = client.get(f"/api/v1/dossiers?overdue=true&limit=2{cursor}", headers=desk).json()
        seen += [item["code"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    # The same due time: the first received first.
    assert seen == [codes[1], codes[3], codes[4], codes[0], codes[2]]
    unknown = "&cursor=00000000-0000-4000-8000-000000000000"
    late = client.get(f"/api/v1/dossiers?overdue=true{unknown}", headers=desk).json()
    assert late["items"] == []
    # Without the filter: newest first, the one in time included.
    everything = client.get("/api/v1/dossiers", headers=desk).json()["items"]
    assert [item["code"] for item in everything] == codes[::-1]


def test_reads_name_a_procedure_or_agency_newer_than_the_process_cache(client, desk, monkeypatch):
    """A procedure or agency made after this process last read the reference data (another
    process's change, seen before the stamp is read again) is read from the database."""
    from egov.dossiers import selectors

    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    monkeypatch.setattr(selectors, "procedures_by_id", dict)
    monkeypatch.setattr(selectors, "agencies_by_id", dict)
    one = client.get(f"/api/v1/dossiers/{code}", headers=desk).json()
    listed = client.get("/api/v1/dossiers", headers=desk).json()["items"][0]
    public = client.get(f"/api/v1/public/dossiers/{code}").json()
    for shown in (one, listed):
        assert shown["procedure"]["national_code"] == "1.001193"
        assert shown["receiving_agency"] == "001.03.50.H01"
    assert one["current_task"]["agency"] == "001.03.50.H01"
    assert public["procedure"] == one["procedure"]["name"]


def test_the_cursor_names_no_sequential_number(client, desk):
    for _ in range(3):
        post(client, "/api/v1/dossiers", BODY, desk)
    page = client.get("/api/v1/dossiers?limit=2", headers=desk).json()
    first = Dossier.objects.order_by("pk").first()
    assert page["next_cursor"] == str(Dossier.objects.get(code=page["items"][-1]["code"]).reference)
    assert str(first.pk) not in page["next_cursor"].split("-")
    forged = client.get("/api/v1/dossiers?cursor=not-a-cursor", headers=desk).json()
    assert forged["items"] == []


def test_rate_limits_ignore_forged_forwarding_and_keep_apart(client, desk):
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    statuses = {
        client.get(
            f"/api/v1/public/dossiers/{code}", headers={"X-Forwarded-For": f"10.0.0.{n}"}
        ).status_code
        for n in range(40)
    }
    assert 429 in statuses  # a new forged address each time does not reset the count
    # Signing in keeps its own allowance.
    token = client.post(
        "/api/v1/auth/token",
        {"username": "tiepnhan.xa", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200


def test_an_upload_past_the_limit_is_stopped(client, desk, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    big = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    response = client.post(
        f"/api/v1/dossiers/{code}/documents",
        {"file": SimpleUploadedFile("lon.pdf", big)},
        headers=desk,
    )
    assert response.status_code == 422
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_leader_hands_the_step_to_an_officer(client, desk, people, staff):
    staff("chuyenvien2.xa", "000.03.50.H01", "specialist")
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    post(client, f"/api/v1/dossiers/{code}/actions/transfer", {"version": 2}, desk)
    leader = bearer(client, "lanhdao.xa")
    url = f"/api/v1/dossiers/{code}/assign"
    done = post(client, url, {"version": 3, "assignee": "chuyenvien2.xa"}, leader)
    assert done.status_code == 200, done.content
    assert done.json()["current_task"]["assignee"] == "chuyenvien2.xa"
    assert done.json()["version"] == 4
    stale = post(client, url, {"version": 3, "assignee": "chuyenvien.xa"}, leader)
    assert stale.status_code == 409
    wrong_place = post(client, url, {"version": 4, "assignee": "chuyenvien.stp"}, leader)
    assert wrong_place.status_code == 422  # not an officer of that agency
    specialist = bearer(client, "chuyenvien.xa")
    not_a_leader = post(client, url, {"version": 4, "assignee": "chuyenvien.xa"}, specialist)
    assert not_a_leader.status_code == 403
    events = client.get(f"/api/v1/dossiers/{code}/events", headers=desk).json()
    assert events[-1]["action"] == "assign"


def test_tracking_book_as_a_spreadsheet(client, desk):
    from io import BytesIO

    from openpyxl import load_workbook

    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    url = "/api/v1/agencies/001.03.50.H01/tracking-book.xlsx?from=2026-11-01&to=2026-11-30"
    response = client.get(url, headers=desk)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("STT", "Mã hồ sơ", "Thủ tục")
    assert rows[3][1] == code and rows[3][3] == "Nguyễn Thị Ánh Tuyết"
    assert client.get(url, headers=bearer(client, "chuyenvien.stp")).status_code == 404


# ------------------------------------------------------------------ hostile numbers and dates
# (issue 12, point 4): each a 422 in the API's error shape, never a 500, and nothing written.


@pytest.mark.parametrize("ward", [-5, 2**63, 10**40, 99999, 70])
def test_a_ward_code_out_of_range_or_not_of_the_province_is_refused(client, desk, ward):
    body = {**BODY, "applicant": {**BODY["applicant"], "address": {"ward_code": ward}}}
    response = post(client, "/api/v1/dossiers", body, desk)
    assert response.status_code == 422
    error = response.json()["error"]
    if ward in (99999, 70):  # in range, but no ward (99999) or Hoàn Kiếm, Hà Nội (70)
        assert error["code"] == "invalid_applicant"
        assert error["fields"] == {"applicant.ward_code": "Mã phường/xã không thuộc tỉnh."}
    else:
        assert error["code"] == "invalid_input"
        assert error["message"] == "Dữ liệu gửi lên chưa hợp lệ."
        (field,) = error["fields"]
        assert field.endswith("applicant.address.ward_code")
    assert not Dossier.objects.exists()


def test_a_huge_offset_or_limit_is_refused_not_a_server_error(client, procedures):
    for query in ("offset=99999999999999999999", "offset=1000001", "limit=101", "limit=0"):
        response = client.get(f"/api/v1/procedures?{query}")
        assert response.status_code == 422, query
        error = response.json()["error"]
        assert error["message"] == "Dữ liệu gửi lên chưa hợp lệ."
        (field,) = error["fields"]
        assert field.endswith(query.split("=")[0])
    past_the_end = client.get("/api/v1/procedures?offset=1000000")
    assert past_the_end.status_code == 200 and past_the_end.json() == {"count": 2, "items": []}


@pytest.mark.parametrize(
    "period", ["from=9999-12-01&to=9999-12-31", "from=0001-01-01&to=0001-01-31"]
)
def test_a_tracking_book_at_the_ends_of_the_calendar_is_refused(client, desk, period):
    for kind in ("pdf", "xlsx"):
        url = f"/api/v1/agencies/001.03.50.H01/tracking-book.{kind}?{period}"
        response = client.get(url, headers=desk)
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "form_not_available",
            "message": "Kỳ theo dõi phải trong các năm từ 2000 đến 2027.",
            "fields": {},
        }


def test_an_apology_dated_past_the_calendar_is_refused(client, desk):
    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    post(client, f"/api/v1/dossiers/{code}/actions/transfer", {"version": 2}, desk)
    leader = bearer(client, "lanhdao.xa")
    url = f"/api/v1/dossiers/{code}/actions/apologize"
    for when in ("9999-12-31T23:59:59-12:00", "2028-11-20T09:00:00+07:00"):
        body = {"version": 3, "note": "Chờ xác minh", "new_due_at": when}
        response = post(client, url, body, leader)
        assert response.status_code == 422, when
        assert response.json()["error"]["message"] == (
            "Ngày hẹn mới không được quá một năm sau ngày hẹn hiện tại."
        )
    dossier = Dossier.objects.get(code=code)
    assert dossier.version == 3 and not hasattr(dossier, "apology")


def test_a_huge_taxable_value_or_e_form_number_is_refused(client, desk):
    from egov.catalog.services import procedures_import
    from tests.conftest import catalogue
    from tests.interop.test_tax import LAND

    code = post(client, "/api/v1/dossiers", BODY, desk).json()["code"]
    post(client, f"/api/v1/dossiers/{code}/actions/transfer", {"version": 2}, desk)
    leader = bearer(client, "lanhdao.xa")
    asked = {"version": 3, "note": "Lệ phí", "tax_kind": "LPTB", "taxable_value": 10**18}
    response = post(client, f"/api/v1/dossiers/{code}/actions/request_obligation", asked, leader)
    assert response.status_code == 422
    (field,) = response.json()["error"]["fields"]
    assert field.endswith("taxable_value")
    assert Dossier.objects.get(code=code).version == 3
    # A JSON body may carry NaN, Infinity or a number of any length in the e-form.
    procedures_import(data=catalogue(LAND))
    land = {**BODY, "procedure": "1.013831", "form_data": {}}
    for number in ("NaN", "Infinity", "1e400", "1" + "0" * 40, "-1e300"):
        text = json.dumps(land).replace(
            '"form_data": {}', f'"form_data": {{"contract_value_vnd": {number}}}'
        )
        response = client.post(
            "/api/v1/dossiers", text, content_type="application/json", headers=desk
        )
        assert response.status_code == 422, number
        assert response.json()["error"]["fields"] == {
            "form_data.contract_value_vnd": "phải là một số, phần nguyên tối đa 14 chữ số"
        }
    assert Dossier.objects.count() == 1
