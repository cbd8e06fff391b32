"""Every officer page on a 360-pixel phone and on a 1280-pixel desktop (issue 11, point 5).

One walk visits each page as its officer, at 360 px where nothing may scroll sideways and at
1280 px, and at both widths axe must find no serious or critical violation; a failure names
the page by role and name. The pages are those
of a small province where work is under way — dossiers at each desk, an appointment, feedback,
a dead letter on the interconnection axis (the admin site's pages are walked by
tests/e2e/test_admin.py). Then the header's menu and the messages after an action, as a phone
user and a screen reader meet them.
"""

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from egov.appointments.rules import Person
from egov.appointments.services import appointment_arrive, appointment_book
from egov.dossiers.selectors import TABS as DESK_TABS
from egov.dossiers.services import dossier_create
from egov.feedback.selectors import TABS as FEEDBACK_TABS
from egov.feedback.services import feedback_send
from egov.interop.adapters.http import Attempt
from egov.interop.models import MessageLog, OutboxStatus
from egov.interop.services.delivery import attempt_settle
from egov.interop.services.log import Exchange, log_append
from egov.interop.services.outbox import claim_due
from egov.interop.services.registry import registry_install
from tests.conftest import COMMUNE_CENTER, PROVINCE
from tests.dossiers.conftest import CITIZEN, act
from tests.feedback.conftest import about_procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
BIRTH = "1.001193"

# The officers of the small province (tests.conftest `people`), and the province's own.
OFFICERS = {
    "reception": "tiepnhan.xa",
    "specialist": "chuyenvien.xa",
    "leader": "lanhdao.xa",
    "province_admin": "quantri.tinh",
    "bus_operator": "vanhanh.lgsp",
    "auditor": "thanhtra",
}


@dataclasses.dataclass
class World:
    """What the pages show: a dossier at each desk, an appointment with its number, feedback,
    a dead letter and the message log."""

    dossiers: dict[str, Any]
    appointment: Any
    feedback: Any
    dead_letter: Any
    log_row: Any


REFUSED = Attempt(
    outcome="rejected",
    status=400,
    code="302",
    error="HTTP 400 [302] Ngày tiếp nhận không đúng định dạng: " + "chi tiết lỗi " * 30,
    duration_ms=85,
    request=b'{"MaHoSo": "x"}',
    response=b'{"error_code": "302"}',
)


def _world(people: dict[str, Any], staff: Any, now: datetime.datetime) -> World:
    staff(OFFICERS["province_admin"], PROVINCE, "province_admin")
    staff(OFFICERS["bus_operator"], PROVINCE, "province_admin")
    registry_install()  # a transactional test's flush took the migration's rows away

    def received() -> Any:
        return dossier_create(
            actor=people["desk"],
            procedure_code=BIRTH,
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
        )

    at_reception = received()
    at_specialist = received()
    act(at_specialist, "transfer", people["desk"])
    awaiting_signature = received()
    act(awaiting_signature, "transfer", people["desk"])
    act(awaiting_signature, "forward", people["specialist"])
    act(awaiting_signature, "forward", people["police"])
    to_return = received()
    for action, actor in [
        ("transfer", "desk"),
        ("forward", "specialist"),
        ("forward", "police"),
        ("approve", "leader"),
    ]:
        act(to_return, action, people[actor])
    supplement = received()
    act(supplement, "transfer", people["desk"])
    act(
        supplement,
        "request_supplement",
        people["specialist"],
        note="Ảnh giấy chứng sinh bị mờ.",
        items=["Giấy chứng sinh bản rõ nét"],
    )

    claimed = [m for m in claim_due(worker="w1", now=now, limit=50) if m.system == "dvcqg"]
    for message in claimed:
        attempt_settle(message_id=message.pk, worker="w1", attempt=REFUSED, now=now)
    dead = claimed[0]
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.DEAD
    # A partner's long identifiers and the longest outcome in the log: the operator's table
    # must still fit.
    log_append(
        Exchange(
            direction="out",
            system="hotich",
            service="hotich.birth.register",
            party="motcua",
            request=b'{"q": 1}',
            response=b"",
            status=503,
            code="SERVICE_UNAVAILABLE",
            duration_ms=30000,
            outcome="retry",
        ),
        at=now,
    )
    log_append(
        Exchange(
            direction="in",
            system="dvcqg",
            service="dvcqg.dossier.status.callback.very-long-service-name",
            party="client-credentials:dvcqg-portal-0123456789abcdef0123456789abcdef",
            request=b'{"q": 1}',
            response=b'{"a": 2}',
            status=200,
            code="",
            duration_ms=1234567,
            outcome="ok",
            idempotency_key="dvcqg-" + "0123456789abcdef" * 4,
        ),
        at=now,
    )

    # An appointment today at the commune's desk, and the person has arrived.
    starts = now.replace(hour=9, minute=0, second=0, microsecond=0)
    assert starts > now, "the clock starts on a Monday at 08:00 (tests.conftest.Clock)"
    appointment = appointment_book(
        actor=None,
        desk_code=COMMUNE_CENTER,
        procedure_code=BIRTH,
        starts_at=starts,
        person=Person(full_name="Nguyễn Thị Ánh Tuyết", phone="0912 345 678", email=""),
    )
    appointment = appointment_arrive(actor=people["desk"], appointment_uuid=appointment.uuid)
    feedback = feedback_send(actor=AnonymousUser(), data=about_procedure)
    return World(
        dossiers={
            "reception": at_reception,
            "specialist": at_specialist,
            "leader": awaiting_signature,
            "to_return": to_return,
            "supplement": supplement,
        },
        appointment=appointment,
        feedback=feedback,
        dead_letter=dead,
        log_row=MessageLog.objects.order_by("-seq").first(),
    )


@pytest.fixture
def world(
    live_server: Any,
    agencies: dict[str, Any],
    procedures: None,
    people: dict[str, Any],
    staff: Any,
    clock: Any,
) -> World:
    return _world(people, staff, clock.now)


@dataclasses.dataclass(frozen=True)
class Page:
    role: str
    name: str
    address: Callable[[World], str]

    @property
    def id(self) -> str:
        return f"{self.role}-{self.name}"


def _desk_pages() -> list[Page]:
    pages = []
    for role in ("reception", "specialist", "leader"):
        pages += [
            Page(role, f"worklist-{tab}", lambda w, tab=tab: f"/can-bo/?tab={tab}")
            for tab in DESK_TABS
        ]
        pages.append(
            Page(
                role,
                "dossier",
                lambda w, r=role: reverse("desk:dossier", args=[w.dossiers[r].code]),
            )
        )
        pages.append(Page(role, "notices", lambda w: reverse("notifications:list")))
    return [
        *pages,
        Page(
            "reception",
            "dossier-to-return",
            lambda w: reverse("desk:dossier", args=[w.dossiers["to_return"].code]),
        ),
        Page(
            "specialist",
            "dossier-supplement",
            lambda w: reverse("desk:dossier", args=[w.dossiers["supplement"].code]),
        ),
        Page("reception", "intake-start", lambda w: reverse("desk:intake")),
        Page("reception", "intake-form", lambda w: reverse("desk:intake_form", args=[BIRTH])),
        Page("reception", "appointments-today", lambda w: reverse("appointments_staff:today")),
        Page(
            "reception",
            "appointment-ticket",
            lambda w: reverse("appointments_staff:ticket", args=[w.appointment.uuid]),
        ),
        Page("reception", "forbidden-bus", lambda w: reverse("interop:bus")),
        Page("reception", "not-found", lambda w: "/can-bo/ho-so/KHONG-CO/"),
        Page("leader", "dashboard", lambda w: reverse("desk:dashboard")),
    ]


def _other_pages() -> list[Page]:
    return [
        *[
            Page(
                "province_admin",
                f"feedback-{tab}",
                lambda w, tab=tab: f"/can-bo/phan-anh/?tab={tab}",
            )
            for tab in FEEDBACK_TABS
        ],
        Page(
            "province_admin",
            "feedback-detail",
            lambda w: reverse("feedback_staff:detail", args=[w.feedback.reference]),
        ),
        Page("province_admin", "admin-index", lambda w: reverse("admin:index")),
        Page("bus_operator", "bus", lambda w: reverse("interop:bus")),
        Page("bus_operator", "bus-log-filtered", lambda w: reverse("interop:bus") + "?chieu=in"),
        Page(
            "bus_operator",
            "dead-letter",
            lambda w: reverse("interop:dead_letter", args=[w.dead_letter.pk]),
        ),
        Page(
            "bus_operator",
            "log-row",
            lambda w: reverse("interop:log_row", args=[w.log_row.seq]),
        ),
        Page("bus_operator", "notices", lambda w: reverse("notifications:list")),
        Page("auditor", "bus-read-only", lambda w: reverse("interop:bus")),
    ]


# The admin site's pages are walked at both widths by tests/e2e/test_admin.py.
PAGES = [*_desk_pages(), *_other_pages()]


def signed_in(
    browser: Any, live_server: Any, username: str, viewport: dict[str, int], **options: Any
) -> Any:
    """A browser signed in as the officer (the sign-in page itself has its own tests)."""
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context = browser.new_context(locale="vi-VN", viewport=viewport, **options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def serious(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def sideways(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def squeezed(page: Any) -> list[str]:
    """Text boxes a phone squeezes beside their label instead of under it."""
    return page.evaluate(
        """() => [...document.querySelectorAll('label[for]')]
            .map(label => [label, document.getElementById(label.htmlFor)])
            .filter(([label, box]) => box && box.offsetParent !== null
                    && label.offsetParent !== null
                    && box.matches('input[type=text], input[type=search], input:not([type]), '
                                   + 'input[type=email], input[type=tel], select, textarea'))
            .filter(([label, box]) => {
                const l = label.getBoundingClientRect(), b = box.getBoundingClientRect();
                return l.right <= b.left + 1 && l.bottom > b.top + 2 && l.top < b.bottom - 2;
            })
            .map(([label, box]) => '#' + box.id)"""
    )


def wider_than_screen(page: Any) -> list[str]:
    """The elements that stick out to the right, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(e => e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (e.classList.length ? '.' + [...e.classList].join('.') : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""
    )


@pytest.mark.layout
def test_every_officer_page_fits_a_phone_and_passes_axe(
    world: World, live_server: Any, browser: Any
) -> None:
    """One walk over every page (the world is built once): each problem names its page,
    its width and what sticks out or which axe rule fails."""
    problems = []
    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        for role, username in OFFICERS.items():
            mine = [officer_page for officer_page in PAGES if officer_page.role == role]
            if not mine:
                continue
            context = signed_in(browser, live_server, username, viewport)
            page = context.new_page()
            for officer_page in mine:
                page.goto(live_server.url + officer_page.address(world))
                where = f"{officer_page.id} at {width}px"
                if width == PHONE["width"] and sideways(page) > 0:
                    problems.append(
                        f"{where}: scrolls sideways by {sideways(page)}px: "
                        f"{wider_than_screen(page)}"
                    )
                if width == PHONE["width"] and squeezed(page):
                    problems.append(f"{where}: boxes squeezed: {squeezed(page)}")
                problems += [f"{where}: {violation}" for violation in serious(page)]
            context.close()
    assert len(PAGES) > 50
    assert not problems, "\n".join(problems)


def test_the_menu_folds_behind_its_button_on_a_phone(world: World, live_server: Any, browser: Any):
    context = signed_in(browser, live_server, OFFICERS["leader"], PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/can-bo/")
    header = page.get_by_role("navigation", name="Điều hướng chính")
    button = header.get_by_role("button", name="Trình đơn")
    worklist = header.get_by_role("link", name="Hồ sơ cần xử lý")
    # Folded: the button (with the unread count) and "Đăng xuất" beside the brand, on one line.
    assert button.get_attribute("aria-expanded") == "false"
    assert "thông báo chưa đọc" in button.text_content()
    assert not worklist.is_visible()
    sign_out = header.get_by_role("button", name="Đăng xuất")
    assert sign_out.is_visible()
    assert abs(sign_out.bounding_box()["y"] - button.bounding_box()["y"]) < 8
    assert sideways(page) <= 0
    assert not serious(page), serious(page)

    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert worklist.is_visible() and header.get_by_role("link", name="Tổng quan").is_visible()
    assert sideways(page) <= 0
    assert not serious(page), serious(page)
    page.keyboard.press("Tab")  # into the open menu
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not worklist.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")

    button.click()
    worklist.click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()

    # A wider window shows the whole menu and no button.
    page.set_viewport_size(DESKTOP)
    assert worklist.is_visible() and not button.is_visible()
    context.close()


def test_without_javascript_the_menu_wraps_and_tables_scroll_in_their_region(
    world: World, live_server: Any, browser: Any
):
    context = signed_in(
        browser, live_server, OFFICERS["bus_operator"], PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("interop:bus"))
    header = page.get_by_role("navigation", name="Điều hướng chính")
    assert not header.get_by_role("button", name="Trình đơn").is_visible()
    assert header.get_by_role("link", name="Liên thông").is_visible()
    assert page.locator("table.stacks").count() == 0
    assert sideways(page) <= 0
    context.close()


def test_the_bus_message_log_fits_a_desktop(world: World, live_server: Any, browser: Any):
    """At 1280 px the log's twelve columns fit without scrolling their region, however long
    a partner's names; the whole of a cut name is in its title and on the row's page."""
    context = signed_in(browser, live_server, OFFICERS["bus_operator"], DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + reverse("interop:bus"))
    for region in ("Bảng nhật ký trao đổi", "Bảng thư lỗi"):
        overflow = page.get_by_role("region", name=region).evaluate(
            "e => e.scrollWidth - e.clientWidth"
        )
        assert overflow <= 0, (region, overflow)
    long_party = page.locator(".log-table .clip[title^='client-credentials:dvcqg-portal']")
    assert long_party.evaluate("e => e.scrollWidth > e.clientWidth")  # cut with an ellipsis
    context.close()


def test_messages_say_their_kind_and_are_announced(world: World, live_server: Any, browser: Any):
    """Done → a polite status with its icon; a failure → an alert; each takes the focus on
    arrival so a screen reader reads it, and the kind is in words, not only a colour."""
    context = signed_in(browser, live_server, OFFICERS["bus_operator"], PHONE)
    page, stale = context.new_page(), context.new_page()
    address = live_server.url + reverse("interop:dead_letter", args=[world.dead_letter.pk])
    page.goto(address)
    stale.goto(address)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gửi lại", exact=True).click()
    done = page.get_by_role("status").filter(has_text="trở lại hàng đợi")
    done.wait_for()
    assert "message-success" in done.get_attribute("class")
    assert done.locator("svg.message-icon").count() == 1
    assert "Đã xong:" in done.text_content()
    assert page.evaluate("document.activeElement.classList.contains('message-success')")
    assert not serious(page), serious(page)

    stale.once("dialog", lambda dialog: dialog.accept())
    stale.get_by_role("button", name="Gửi lại", exact=True).click()
    failed = stale.get_by_role("alert").filter(has_text="Không gửi lại được")
    failed.wait_for()
    assert "message-error" in failed.get_attribute("class")
    assert "Lỗi:" in failed.text_content()
    colours = {m.evaluate("e => getComputedStyle(e).borderLeftColor") for m in (done, failed)}
    assert len(colours) == 2
    assert stale.evaluate("document.activeElement.classList.contains('message-error')")
    assert sideways(stale) <= 0
    assert not serious(stale), serious(stale)

    # A warning (the ticket of someone not yet arrived) is an alert too.
    appointment = appointment_book(
        actor=None,
        desk_code=COMMUNE_CENTER,
        procedure_code=BIRTH,
        starts_at=world.appointment.starts_at + datetime.timedelta(hours=1),
        person=Person(full_name="Trần Văn Bình", phone="0987 654 321", email=""),
    )
    desk = signed_in(browser, live_server, OFFICERS["reception"], PHONE).new_page()
    desk.goto(live_server.url + reverse("appointments_staff:ticket", args=[appointment.uuid]))
    warning = desk.get_by_role("alert").filter(has_text="chưa được ghi nhận đã đến")
    warning.wait_for()
    assert (
        "message-warning" in warning.get_attribute("class") and "Lưu ý:" in warning.text_content()
    )
    desk.context.close()
    context.close()
