"""The national portal hears of people as people (reference §8.3): a step's `NguoiXuLy` is the
officer's full name and its `ChucDanh` the title they hold where they acted, or their role
there — never a login."""

import json
from typing import Any

from egov.dossiers.services import dossier_perform
from egov.interop.models import OutboxMessage
from egov.orgs.models import Membership
from tests.conftest import COMMUNE_CENTER, JUSTICE
from tests.dossiers.conftest import act


def payloads(dossier: Any) -> list[dict[str, Any]]:
    messages = OutboxMessage.objects.filter(
        topic="dvcqg.dossier.sync", ordering_key=f"dossier:{dossier.pk}"
    ).order_by("id")
    return [message.payload for message in messages]


def last_step(dossier: Any) -> dict[str, Any]:
    return payloads(dossier)[-1]["QuaTrinhXuLy"][-1]


def name(user: Any, first: str, last: str) -> None:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])


def test_a_step_names_the_officer_by_full_name(counter_dossier, people, clock):
    name(people["desk"], "Võ Thị Kim", "Yến")
    name(people["specialist"], "Trần Văn", "Minh")
    act(counter_dossier, "transfer", people["desk"])
    step = last_step(counter_dossier)
    # The desk officer took the step as what they are at the desk, not as the next step's role.
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Võ Thị Kim Yến", "Cán bộ tiếp nhận")

    clock.set(2026, 11, 16, 10, 0)
    act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    payload = payloads(counter_dossier)[-1]
    step = payload["QuaTrinhXuLy"][-1]
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Trần Văn Minh", "Chuyên viên xử lý")
    assert payload["DanhSachHoSoBoSung"][-1]["NguoiYeuCauBoSung"] == "Trần Văn Minh"
    logins = {user.get_username() for user in people.values()}
    named = [
        person
        for payload in payloads(counter_dossier)
        for person in [s["NguoiXuLy"] for s in payload["QuaTrinhXuLy"]]
        + [s["NguoiYeuCauBoSung"] for s in payload["DanhSachHoSoBoSung"]]
    ]
    assert named and not logins & set(named)
    assert not any(login in json.dumps(payloads(counter_dossier)) for login in logins)


def test_an_officer_without_a_name_is_named_by_their_role_and_the_system_as_such(
    counter_dossier, people
):
    act(counter_dossier, "transfer", people["desk"])
    step = last_step(counter_dossier)
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Cán bộ tiếp nhận", "Cán bộ tiếp nhận")
    act(counter_dossier, "request_obligation", people["leader"], note="Nộp lệ phí")
    counter_dossier.refresh_from_db()
    dossier_perform(
        key=counter_dossier.code,
        action="confirm_obligation",
        actor=None,
        version=counter_dossier.version,
        note="Đã nộp lệ phí",
    )
    step = last_step(counter_dossier)
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Hệ thống", "")


def test_a_step_carries_the_title_held_where_the_officer_acted(counter_dossier, people, staff):
    name(people["desk"], "Võ Thị Kim", "Yến")
    Membership.objects.filter(user=people["desk"], agency__code=COMMUNE_CENTER).update(
        title="Công chức Bộ phận Một cửa"
    )
    # A title held at an agency that has nothing to do with the dossier does not count.
    staff("chuyenvien.xa", JUSTICE, "leader")
    Membership.objects.filter(user=people["specialist"], agency__code=JUSTICE).update(
        title="Giám đốc"
    )
    act(counter_dossier, "transfer", people["desk"])
    step = last_step(counter_dossier)
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Võ Thị Kim Yến", "Công chức Bộ phận Một cửa")
    act(counter_dossier, "forward", people["specialist"])
    step = last_step(counter_dossier)
    assert (step["NguoiXuLy"], step["ChucDanh"]) == ("Chuyên viên xử lý", "Chuyên viên xử lý")
