"""The leaders' month (`desk:dashboard`): exact figures on a constructed month, each with what
it counts written under it; "Quá hạn" the same dossiers as the worklist's tab; the five most
overdue listed when there are five or more."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from egov.dossiers.selectors import (
    WorklistFilters,
    agency_dashboard,
    dossier_worklist,
    worklist_counts,
)
from egov.dossiers.services import dossier_create
from egov.dossiers.services.deadlines import deadlines_flag
from tests.conftest import COMMUNE_CENTER, POLICE, VN, Clock
from tests.dossiers.conftest import CITIZEN, act

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.datetime(2026, 11, 1, tzinfo=VN)


def received(people: dict[str, Any], clock: Clock, *when: int, procedure: str = "1.001193") -> Any:
    """A dossier received at the counter at `when` (a birth registration at Long Xuyên's desk
    is due one working day later) and handed to the commune committee."""
    clock.set(*when)
    desk = people["desk"] if procedure == "1.001193" else people["province_desk"]
    dossier = dossier_create(
        actor=desk,
        procedure_code=procedure,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(dossier, "transfer", desk)
    return dossier


def decide(people: dict[str, Any], clock: Clock, dossier: Any, *when: int) -> None:
    """Through the specialist and the police to the leader, who signs at `when`."""
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    clock.set(*when)
    act(dossier, "approve", people["leader"])


def figures(html: str) -> dict[str, str]:
    """Each card's name and its number, as the page shows them."""
    found = re.findall(r'<h2[^>]*>([^<]+)</h2>\s*<p class="big">([^<]+)</p>', html)
    return dict(found)


def overdue_codes(html: str) -> list[str]:
    section = html.split('id="qua-han-nhat"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/can-bo/ho-so/([^/"]+)/">', section)


@pytest.fixture
def month(procedures: None, people: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """A November at Long Xuyên, looked at on Friday 20/11/2026 at 10:00."""
    made = {}
    # Received in October, still open: overdue since Monday 02/11 08:00.
    made["october"] = received(people, clock, 2026, 10, 30, 8, 0)
    # The province's: decided by the Department of Justice, overdue, not Long Xuyên's.
    made["province"] = received(people, clock, 2026, 11, 2, 8, 0, procedure="2.001417")
    # Due Tuesday 08:00, decided on the day of receipt (early), handed over on Tuesday.
    made["early"] = received(people, clock, 2026, 11, 16, 8, 0)
    # Due Tuesday 09:00, signed at 09:30: late.
    made["late"] = received(people, clock, 2026, 11, 16, 9, 0)
    decide(people, clock, made["early"], 2026, 11, 16, 14, 0)
    clock.set(2026, 11, 17, 8, 0)
    act(
        made["early"],
        "return_result",
        people["desk"],
        recipient_name="Nguyễn Thị Ánh Tuyết",
        recipient_id_number="089301000123",
    )
    # Due Wednesday 08:00, signed then: on time.
    made["on_time"] = received(people, clock, 2026, 11, 17, 8, 0)
    # The flags as a run of `deadlines_flag` left them on Tuesday at 09:15: "late" flagged.
    deadlines_flag(now=datetime.datetime(2026, 11, 17, 9, 15, tzinfo=VN))
    decide(people, clock, made["late"], 2026, 11, 17, 9, 30)
    decide(people, clock, made["on_time"], 2026, 11, 18, 8, 0)
    # Due Thursday 08:00, still at the specialist: overdue (no flag run has seen it).
    made["overdue"] = received(people, clock, 2026, 11, 18, 8, 0)
    # Due Thursday 09:00, but an apology moved it to Wednesday 25/11: not overdue now.
    made["apologised"] = received(people, clock, 2026, 11, 18, 9, 0)
    clock.set(2026, 11, 18, 9, 30)
    act(
        made["apologised"],
        "apologize",
        people["leader"],
        note="Chờ xác minh",
        new_due_at=datetime.datetime(2026, 11, 25, 16, 0, tzinfo=VN),
    )
    # Waiting for the applicant's supplement since before its due time: not overdue.
    made["supplement"] = received(people, clock, 2026, 11, 19, 8, 0)
    clock.set(2026, 11, 19, 9, 0)
    act(made["supplement"], "request_supplement", people["specialist"], note="Thiếu giấy")
    # Received this morning: in time.
    made["today"] = received(people, clock, 2026, 11, 20, 8, 0)
    clock.set(2026, 11, 20, 10, 0)
    return made


def test_the_month_in_exact_figures(month, people, clock):
    board = agency_dashboard(actor=people["leader"], month_start=NOVEMBER)
    assert [agency.name for agency in board.leading] == ["Ủy ban nhân dân phường Long Xuyên"]
    assert board.received == 7  # the October one and the province's not
    assert board.in_process == 5  # october, overdue, apologised, supplement, today
    assert board.overdue == 2 and board.in_time == 3
    assert board.returned == 1
    assert (board.decided, board.early, board.on_time, board.late) == (3, 1, 1, 1)
    assert board.decided_in_time == 2 and board.on_time_rate == pytest.approx(2 / 3)
    assert [d.code for d in board.most_overdue] == [month["october"].code, month["overdue"].code]


def test_the_page_shows_the_figures_with_what_they_count(client, month, people):
    client.force_login(people["leader"])
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert figures(html) == {
        "Tiếp nhận trong tháng": "7",
        "Đang giải quyết": "5",
        "Quá hạn": "2",
        "Tỷ lệ đúng hạn": "66,7%",
        "Đã trả kết quả trong tháng": "1",
    }
    assert "Số liệu đến" in html and "10:00 20/11/2026" in html
    assert "3 trong hạn, 2 quá hạn" in html
    assert "2 trên 3 hồ sơ giải quyết trong tháng (1 trước hạn, 1 đúng hạn, 1 quá hạn)" in html
    assert "không tính thời gian chờ bổ sung" in html
    assert "phải bổ sung quá một lần là quá hạn" in html
    assert "từ ngày 01/11/2026" in html
    assert "Ủy ban nhân dân phường Long Xuyên" in html  # whose dossiers
    assert "?tab=overdue" in html  # the worklist's tab with the same dossiers
    assert overdue_codes(html) == [month["october"].code, month["overdue"].code]
    assert "Cả 2 hồ sơ quá hạn" in html


def test_overdue_is_the_worklists_overdue_tab(client, month, people):
    """The same count and the same dossiers, whatever the stored flags say: "late" is still
    flagged from Tuesday's run though decided, "overdue" not flagged yet though past due."""
    leader = people["leader"]
    board = agency_dashboard(actor=leader, month_start=NOVEMBER)
    assert worklist_counts(actor=leader)["overdue"] == board.overdue == 2
    client.force_login(leader)
    html = client.get(reverse("desk:worklist"), {"tab": "overdue"}).content.decode()
    listed = set(re.findall(r'href="/can-bo/ho-so/([^/"]+)/"', html))
    assert listed == {month["october"].code, month["overdue"].code}
    assert html.count('<span class="badge badge-late">Quá hạn</span>') == 2
    # The Department of Justice's leader: their overdue dossier, not Long Xuyên's.
    justice = people["justice_leader"]
    theirs = agency_dashboard(actor=justice, month_start=NOVEMBER)
    assert theirs.overdue == worklist_counts(actor=justice)["overdue"] == 1
    assert [d.code for d in theirs.most_overdue] == [month["province"].code]


def test_the_dossier_page_and_the_due_soon_tab_read_the_clock_too(client, month, people):
    """A stored flag a run of `deadlines_flag` left behind says nothing on its own: the
    page of a dossier past due says "Quá hạn" before any run, the page of one whose apology
    moved its due time does not though flagged, and none is both due soon and overdue."""
    from egov.dossiers.models import Dossier

    Dossier.objects.filter(pk=month["overdue"].pk).update(overdue=False, due_soon=True)
    Dossier.objects.filter(pk=month["apologised"].pk).update(overdue=True)
    leader = people["leader"]
    client.force_login(leader)
    badge = '<span class="badge badge-late">Quá hạn</span>'

    def page(dossier: Any) -> str:
        return client.get(reverse("desk:dossier", args=[dossier.code])).content.decode()

    assert badge in page(month["overdue"])
    assert badge not in page(month["apologised"])
    html = client.get(reverse("desk:worklist"), {"tab": "due_soon"}).content.decode()
    assert month["overdue"].code not in html

    def tab(name: str) -> set[str]:
        rows = dossier_worklist(
            actor=leader, filters=WorklistFilters(tab=name), after=None, limit=100
        )
        return {row.code for row in rows}

    assert tab("overdue") and not tab("due_soon") & tab("overdue")


def many_overdue(people: dict[str, Any], clock: Clock, count: int) -> list[Any]:
    """`count` dossiers received on Monday 16/11 half an hour apart, all overdue on Friday,
    and two more received Friday morning (in time)."""
    made = [received(people, clock, 2026, 11, 16, 8 + n // 2, 30 * (n % 2)) for n in range(count)]
    for hour in (8, 9):
        received(people, clock, 2026, 11, 20, hour, 0)
    clock.set(2026, 11, 20, 10, 0)
    return made


@pytest.mark.parametrize("count", [5, 7])
def test_the_five_most_overdue(client, procedures, people, clock, count):
    overdue = many_overdue(people, clock, count)
    client.force_login(people["leader"])
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert figures(html)["Quá hạn"] == str(count)
    # The five due first, in that order.
    assert overdue_codes(html) == [dossier.code for dossier in overdue[:5]]
    if count == 5:
        assert "Cả 5 hồ sơ quá hạn" in html
    else:
        assert "5 trong số 7 hồ sơ quá hạn" in html and "xem cả 7 hồ sơ" in html


def test_a_partner_agencys_leader_sees_the_dossiers_late_at_their_step(
    client, procedures, people, clock, staff
):
    """What the demo showed: birth registrations waiting at the police's step are on the
    police leader's worklist under "Quá hạn", and were missing from the dashboard, which
    counted only the dossiers the police decide. Five such dossiers: five listed."""
    police_leader = staff("lanhdao.ca", POLICE, "leader")
    waiting = []
    for n in range(5):
        dossier = received(people, clock, 2026, 11, 16, 8 + n, 0)
        act(dossier, "forward", people["specialist"])  # to the police's step
        waiting.append(dossier)
    clock.set(2026, 11, 20, 10, 0)
    assert worklist_counts(actor=police_leader)["overdue"] == 5
    client.force_login(police_leader)
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert figures(html)["Quá hạn"] == "5"
    assert overdue_codes(html) == [dossier.code for dossier in waiting]
    # Named with the agency that decides each, as the police decide none of them.
    assert "Ủy ban nhân dân phường Long Xuyên" in html.split('id="qua-han-nhat"', 1)[1]


def test_nothing_decided_yet_says_so(client, procedures, people, clock):
    received(people, clock, 2026, 11, 2, 8, 0)
    clock.set(2026, 11, 2, 9, 0)
    client.force_login(people["leader"])
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert figures(html)["Tỷ lệ đúng hạn"] == "—"
    assert "Chưa có hồ sơ nào giải quyết xong trong tháng" in html
    assert "Không có hồ sơ quá hạn." in html


def test_only_leaders_and_agency_administrators(client, procedures, people, staff):
    client.force_login(people["desk"])
    assert client.get(reverse("desk:dashboard")).status_code == 403
    client.force_login(staff("quantri.xa", COMMUNE_CENTER, "agency_admin"))
    assert client.get(reverse("desk:dashboard")).status_code == 200


def test_the_page_costs_the_same_at_any_number_of_dossiers(
    client, procedures, people, clock, django_assert_max_num_queries
):
    many_overdue(people, clock, 2)
    client.force_login(people["leader"])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("desk:dashboard"))
    many_overdue(people, clock, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("desk:dashboard"))
    assert figures(page.content.decode())["Quá hạn"] == "14"
