"""The dossier page's feedback after actions (issue 11, point 6): the slip to print at the top,
hand-overs that name where the dossier goes, the recipient filled in, actions that end a
dossier set apart and asked again, and refusals shown in Vietnamese next to the action."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from egov.dossiers.models import Dossier
from egov.dossiers.selectors import actions_available, handover_of, open_task_of
from egov.dossiers.services import dossier_create
from tests.dossiers.conftest import CITIZEN, act

pytestmark = pytest.mark.django_db

COMMUNE = "Ủy ban nhân dân phường Long Xuyên"
DESK = "Trung tâm Phục vụ hành chính công phường Long Xuyên"
POLICE = "Công an tỉnh An Giang"


def receive(people):
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def online(django_user_model):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    return dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code="001.03.50.H01",
    )


def page(client, dossier, **query):
    dossier.refresh_from_db()
    key = dossier.code or str(dossier.reference)
    response = client.get(reverse("desk:dossier", args=[key]), query)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def summary(html, action):
    """The text of an action's button (its <summary>), tags dropped."""
    found = re.search(rf'id="thao-tac-{action}".*?<summary[^>]*>(.*?)</summary>', html, re.S)
    assert found, f"no {action} on the page"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_slip_just_made_is_offered_first_under_the_heading(client, procedures, people, clock):
    dossier = receive(people)
    client.force_login(people["desk"])
    html = page(client, dossier, **{"in": "01"})
    box = html.index("In phiếu vừa lập")
    assert html.index("</h1>") < box < html.index("Người nộp</h2>")
    assert (
        f"/api/v1/dossiers/{dossier.code}/forms/01.pdf" in html[box : html.index("</section>", box)]
    )
    assert "In Giấy tiếp nhận (Mẫu 01)" in html
    # A slip this dossier does not have (it was not refused), or nonsense: no box.
    for asked in ("03", "<script>", ""):
        assert "In phiếu vừa lập" not in page(client, dossier, **{"in": asked})


def test_each_hand_over_names_the_agency_and_step_it_goes_to(client, procedures, people, clock):
    dossier = receive(people)
    client.force_login(people["desk"])
    button = summary(page(client, dossier), "transfer")
    assert button.startswith("Chuyển xử lý")
    assert f"chuyển đến {COMMUNE} · bước 2: Thẩm định hồ sơ" in button
    response = client.post(
        reverse("desk:action", args=[dossier.code, "transfer"]),
        {"version": dossier.version},
        follow=True,
    )
    assert (
        f"Đã thực hiện: Chuyển xử lý. Hồ sơ đã chuyển đến bước 2. Thẩm định hồ sơ — {COMMUNE}, "
        "cán bộ chuyenvien.xa." in html_lib.unescape(response.content.decode())
    )
    client.force_login(people["specialist"])
    assert f"{POLICE} · bước 3: Đăng ký thường trú (liên thông)" in summary(
        page(client, dossier), "forward"
    )
    act(dossier, "forward", people["specialist"])
    client.force_login(people["police"])
    html = page(client, dossier)
    assert f"{COMMUNE} · bước 4: Ký duyệt" in summary(html, "forward")
    assert f"{COMMUNE} · bước 2: Thẩm định hồ sơ" in summary(html, "send_back")
    act(dossier, "forward", people["police"])
    client.force_login(people["leader"])
    # The last step's signing makes the result ready: the desk returns it.
    assert f"{DESK} · trả kết quả" in summary(page(client, dossier), "approve")


def test_the_named_hand_over_is_where_the_action_really_sends_the_dossier(
    procedures, people, clock
):
    """The page's names come from a selector; the effects open the steps. Walk every
    hand-over of the birth registration and hold the two together."""
    dossier = receive(people)
    for action, actor in [
        ("transfer", people["desk"]),
        ("forward", people["specialist"]),
        ("send_back", people["police"]),
        ("forward", people["specialist"]),
        ("forward", people["police"]),
        ("approve", people["leader"]),
    ]:
        dossier.refresh_from_db()
        task = open_task_of(dossier)
        (rule,) = [r for r in actions_available(actor=actor, dossier=dossier) if r.action == action]
        named = handover_of(dossier=dossier, rule=rule, open_task=task)
        note = "Thiếu xác minh" if action == "send_back" else ""
        act(dossier, action, actor, note=note)
        dossier.refresh_from_db()
        opened = open_task_of(dossier)
        assert named is not None
        if opened is None:
            assert dossier.status == "result_ready"
            assert (named.position, named.agency) == (0, dossier.receiving_agency)
        else:
            assert (named.position, named.step, named.agency) == (
                opened.position,
                opened.name,
                opened.agency,
            )


def test_return_result_fills_in_the_applicant_and_lets_it_be_changed(
    client, procedures, people, clock
):
    dossier = receive(people)
    for action, actor in [
        ("transfer", people["desk"]),
        ("forward", people["specialist"]),
        ("forward", people["police"]),
        ("approve", people["leader"]),
    ]:
        act(dossier, action, actor)
    client.force_login(people["desk"])
    html = page(client, dossier)
    assert re.search(r'name="recipient_name"[^>]*value="Nguyễn Thị Ánh Tuyết"', html)
    assert re.search(r'name="recipient_id_number"[^>]*value="089301000123"', html)
    dossier.refresh_from_db()
    # Someone else came for it: what the officer typed is what goes on record.
    client.post(
        reverse("desk:action", args=[dossier.code, "return_result"]),
        {
            "version": dossier.version,
            "recipient_name": "Trần Văn Bình",
            "recipient_id_number": "089090000321",
        },
    )
    event = dossier.events.get(action="return_result")
    assert event.payload["recipient"] == {"name": "Trần Văn Bình", "id_number": "089090000321"}


def test_actions_that_end_a_dossier_look_apart_and_ask_again(
    client, procedures, people, clock, django_user_model
):
    dossier = online(django_user_model)
    client.force_login(people["desk"])
    raw = client.get(reverse("desk:dossier", args=[str(dossier.reference)])).content.decode()
    html = html_lib.unescape(raw)
    receive_button = re.search(r'id="thao-tac-receive".*?<summary([^>]*)>', html, re.S)
    refuse_button = re.search(r'id="thao-tac-refuse".*?<summary([^>]*)>', html, re.S)
    assert receive_button and "outline" not in receive_button.group(1)  # the main action
    assert refuse_button and "action-ending" in refuse_button.group(1)
    assert html.index("thao-tac-receive") < html.index("Kết thúc hồ sơ không có kết quả")
    assert html.index("Kết thúc hồ sơ không có kết quả") < html.index("thao-tac-refuse")
    refuse_form = html[html.index('id="thao-tac-refuse"') :]
    assert "Bạn chắc chắn? Từ chối tiếp nhận hồ sơ này (Mẫu 03)?" in refuse_form
    assert "Xác nhận từ chối tiếp nhận" in refuse_form and ">Hủy</a>" in refuse_form
    # No script written into the page (a Content-Security-Policy will forbid it).
    assert "onsubmit" not in raw and "onclick" not in raw
    assert not re.search(r"<script(?![^>]*\bsrc=)", raw)


def test_a_refused_action_is_told_by_the_action_with_what_was_typed(
    client, procedures, people, clock, django_user_model
):
    dossier = online(django_user_model)
    key = str(dossier.reference)
    client.force_login(people["desk"])
    url = reverse("desk:action", args=[key, "refuse"])
    response = client.post(url, {"version": dossier.version, "note": "   "})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/can-bo/ho-so/{key}/#thao-tac-refuse")
    html = page(client, dossier)
    reason = "Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03)."
    assert html.count(reason) == 2  # in the messages, and by the action's form
    assert re.search(r'id="thao-tac-refuse" open>', html)
    assert 'aria-describedby="hoi-lai-refuse loi-refuse"' in html
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
    # Shown once: the next visit is a plain page again.
    assert reason not in page(client, dossier)


def test_a_stale_form_comes_back_filled_in_on_the_fresh_page(
    client, procedures, people, clock, django_user_model
):
    dossier = online(django_user_model)
    client.force_login(people["desk"])
    response = client.post(
        reverse("desk:action", args=[str(dossier.reference), "refuse"]),
        {"version": dossier.version - 1, "note": "Giấy chứng sinh bị tẩy xóa"},
        follow=True,
    )
    html = html_lib.unescape(response.content.decode())
    assert "vừa được người khác cập nhật" in html and "Trang đã được tải lại" in html
    assert re.search(r'name="note"[^>]*>Giấy chứng sinh bị tẩy xóa</textarea>', html)
    assert f'name="version" value="{dossier.version}"' in html  # ready to send again


def test_an_action_not_open_now_is_said_in_vietnamese(client, procedures, people, clock):
    dossier = receive(people)
    client.force_login(people["desk"])
    response = client.post(
        reverse("desk:action", args=[dossier.code, "forward"]),
        {"version": dossier.version},
        follow=True,
    )
    html = html_lib.unescape(response.content.decode())
    assert "Không thể “Chuyển bước tiếp theo” khi hồ sơ đang ở trạng thái “Được tiếp nhận”." in html
    assert "'forward'" not in html
    unknown = reverse("desk:action", args=[dossier.code, "delete_everything"])
    assert client.post(unknown, {"version": dossier.version}).status_code == 404


def test_a_failed_assignment_is_told_by_its_form(client, procedures, people, clock, staff):
    staff("chuyenvien2.xa", "000.03.50.H01", "specialist")
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    client.force_login(people["leader"])
    response = client.post(
        reverse("desk:assign", args=[dossier.code]),
        {"version": dossier.version, "assignee": "khong.co"},
        follow=True,
    )
    html = html_lib.unescape(response.content.decode())
    assert re.search(r'id="thao-tac-assign" open>', html)
    assert "Chưa thực hiện được:</strong> Không có chuyên viên xử lý tên 'khong.co'" in html


def test_an_apology_dated_past_the_calendar_is_told_by_its_form(client, procedures, people, clock):
    dossier = receive(people)
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    client.force_login(people["leader"])
    response = client.post(
        reverse("desk:action", args=[dossier.code, "apologize"]),
        {
            "version": dossier.version,
            "note": "Chờ xác minh",
            "new_due_at": "9999-12-31T23:59:59-12:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "Ngày hẹn mới không được quá một năm sau ngày hẹn hiện tại." in html
    assert not Dossier.objects.filter(pk=dossier.pk, apology__isnull=False).exists()
