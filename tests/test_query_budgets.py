"""Query budgets (issue 13): every operation of the API (/api/v1/), every officer's page
(/can-bo/) and the public look-up (page and API) runs a pinned number of queries, the same
with 10 dossiers as with 1,000, so that later work cannot quietly bring back a query per row.

Each request is made as its real user makes it (a reception officer, a specialist, a leader,
the Justice department's specialist, the province's operator, a citizen, anyone), in the
world of tests/budget_world.py, built once at each size, with the national systems answering
from the simulators. The count is every statement Django runs for the request, SAVEPOINTs
included (BEGIN and COMMIT are savepoints inside the test's transaction) and the `on_commit`
callbacks it leaves. It is taken on the second of two requests: what a process keeps once
read (the catalogue, the agencies, the bus's registry) is counted warm, as a running site
pays it. A request that changes something (an action, an intake, a read mark) is made on a
fresh target of its own each time, prepared by the services beforehand, and must make its
change; a page must show what it lists.

Two checks per request: its count is at most its budget, and it is the same with 1,000
dossiers as with 10 (when both sizes run: alone, the 1,000 run checks the budget only). A
failure lists the statements, 120 characters of each.

Updating: when a change makes a request cheaper, lower its number in BUDGETS to the new
count (`pytest tests/test_query_budgets.py -q -rP` prints every count). Raising one is a
regression: say why in the commit. A new endpoint or page fails
`test_every_endpoint_and_page_has_a_budget` until it has a case below and a budget.

A request whose count grows with the data is an N+1 not fixed yet: it goes in N_PLUS_ONE with
where the query per row comes from, and its 1,000-dossier run is then an expected failure
(strict: once fixed, the run passes, the test fails, and the entry must go).
"""

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.http import urlencode

from egov.api import api
from egov.appointments.rules import Person
from egov.appointments.services import appointment_book
from egov.core import ratelimit, reference
from egov.dossiers.models import Dossier, ProcessTask
from egov.dossiers.services import dossier_create
from egov.feedback.models import Feedback
from egov.feedback.services import feedback_send
from egov.interop import registry_snapshot
from egov.interop.adapters import http
from egov.interop.models import OutboxMessage
from egov.notifications.models import NotificationPreference, StaffNotification
from sims.server import start_in_thread
from tests import budget_world as w
from tests.conftest import COMMUNE_CENTER, PASSWORD
from tests.dossiers.conftest import CITIZEN
from tests.uploads import PDF

# The most queries each request may run: the count measured when it was pinned. Lower a
# number when you make a request cheaper; raising one needs a reason in the commit.
# Per database where they differ, all for one reason: a change to a dossier queues its sync
# with the national portal, whose mark PostgreSQL reads and writes in one statement and
# SQLite in two (egov/interop/services/portal.py, `_sync_mark`).
BUDGETS: dict[str, int | dict[str, int]] = {
    # The API (/api/v1/): a client with a bearer token, or anyone for the public operations.
    "POST /api/v1/auth/token": 5,
    "GET /api/v1/procedures": 2,
    "GET /api/v1/procedures/{national_code}": 4,
    "GET /api/v1/agencies": 1,
    "POST /api/v1/dossiers": {"sqlite": 19, "postgresql": 16},
    "GET /api/v1/dossiers": 2,
    "GET /api/v1/dossiers/{key}": 3,
    "POST /api/v1/dossiers/{key}/actions/{action}": {"sqlite": 33, "postgresql": 32},
    "POST /api/v1/dossiers/{key}/approve": {"sqlite": 35, "postgresql": 34},
    "POST /api/v1/dossiers/{key}/assign": 13,
    "GET /api/v1/dossiers/{key}/events": 3,
    "POST /api/v1/dossiers/{key}/documents": 11,
    "GET /api/v1/dossiers/{key}/documents": 3,
    "GET /api/v1/dossiers/{key}/documents/{document_uuid}": 3,
    "GET /api/v1/dossiers/{key}/forms/{form}.pdf": 6,
    "GET /api/v1/agencies/{code}/tracking-book.pdf": 3,
    "GET /api/v1/agencies/{code}/tracking-book.xlsx": 2,
    "GET /api/v1/public/dossiers/{code}": 3,
    # The worklist as a signed-in citizen's pages ask it (the session, not a token).
    "GET /api/v1/dossiers (citizen, session)": 5,
    # The officers' pages (/can-bo/), signed in.
    "GET /can-bo/": 8,
    "GET /can-bo/ (tab=intake)": 8,
    "GET /can-bo/ (tab=mine, specialist)": 7,
    "GET /can-bo/tong-quan/": 8,
    "POST /can-bo/co-quan/": 7,
    "GET /can-bo/tiep-nhan/": 6,
    "POST /can-bo/tiep-nhan/nguoi-nop/": 5,
    "POST /can-bo/tiep-nhan/tra-cuu-dan-cu/": {"sqlite": 9, "postgresql": 8},
    "GET /can-bo/tiep-nhan/xa-phuong/": 4,
    "GET /can-bo/tiep-nhan/<str:national_code>/": 6,
    "POST /can-bo/tiep-nhan/<str:national_code>/": {"sqlite": 55, "postgresql": 52},
    "GET /can-bo/ho-so/<str:key>/": 17,
    "POST /can-bo/ho-so/<str:key>/thao-tac/<str:action>/": {"sqlite": 36, "postgresql": 35},
    "POST /can-bo/ho-so/<str:key>/giao-viec/": 14,
    "GET /can-bo/lich-hen/": 6,
    "POST /can-bo/lich-hen/<uuid:appointment_uuid>/da-den/": 12,
    "GET /can-bo/lich-hen/<uuid:appointment_uuid>/so/": 6,
    "GET /can-bo/phan-anh/": 8,
    "GET /can-bo/phan-anh/<uuid:reference>/": 7,
    "POST /can-bo/phan-anh/<uuid:reference>/thao-tac/<str:action>/": 9,
    "GET /can-bo/lien-thong/": 13,
    "GET /can-bo/lien-thong/tinh-trang/": 7,
    "GET /can-bo/lien-thong/thu-loi/<int:message_id>/": 11,
    "POST /can-bo/lien-thong/thu-loi/<int:message_id>/gui-lai/": 8,
    "POST /can-bo/lien-thong/thu-loi/<int:message_id>/huy/": 8,
    "GET /can-bo/lien-thong/nhat-ky/<int:seq>/": 6,
    "GET /can-bo/thong-bao/": 8,
    "POST /can-bo/thong-bao/da-doc-tat-ca/": 5,
    "POST /can-bo/thong-bao/<int:notification_id>/da-doc/": 5,
    "POST /can-bo/thong-bao/thu-dien-tu/": 10,
    # The public look-up that the QR code on every slip opens, by anyone.
    "GET /tra-cuu/": 4,
    "GET /tra-cuu/<str:code>/": 4,
}

# Requests whose count grows with the data today, with where the query per row comes from.
N_PLUS_ONE: dict[str, str] = {}  # none when the budgets were pinned

API = "/api/v1"
DESK = "can-bo/"


# ------------------------------------------------------------------------------ the world


@pytest.fixture(scope="module", params=w.SIZES, ids=lambda size: f"{size}-dossiers")
def world(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[w.World]:
    """The world at one size, in a transaction that every test of the size shares (each
    test's own changes roll back to it) and that is rolled back at the end."""
    with ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        patch.setattr(timezone, "now", lambda: w.NOW)
        # Nothing left to chance: the bus's registry, read again after 30 s, stays read
        # between two requests however slow the machine, and the rate limiter's clean-up of
        # old windows (one request in a thousand, at random) never runs.
        patch.setattr(registry_snapshot, "_TTL", float("inf"))
        patch.setattr(ratelimit, "_SWEEP_ONE_IN", 10**12)
        # The national systems answer (the population database at the counter).
        sims = stack.enter_context(start_in_thread(host="127.0.0.1", port=0))
        systems = {
            code: {**system, "url": f"{sims.base_url}/{code}"}
            for code, system in settings.MOTCUA_LGSP_SYSTEMS.items()
        }
        stack.enter_context(
            override_settings(
                MEDIA_ROOT=tmp_path_factory.mktemp(f"media-{request.param}"),
                MOTCUA_LGSP_SYSTEMS=systems,
            )
        )
        stack.callback(_forget)
        _forget()
        # Like django.test.TestCase's class-wide transaction: the services' durable blocks
        # run inside it, as they do inside each test's.
        shared = transaction.atomic()
        shared._from_testcase = True  # type: ignore[attr-defined]
        stack.enter_context(shared)
        yield w.build(request.param)
        transaction.set_rollback(True)


def _forget() -> None:
    """What this process keeps of the database, which the world's rollback takes away."""
    registry_snapshot.forget()
    reference.clear_process_cache()
    http.reset_clients()


# ------------------------------------------------------------------------------ requests


@dataclass(frozen=True)
class Call:
    """One request as its user makes it, and what shows it did what it should."""

    method: str
    path: str
    who: str | None  # a key of World.people, "citizen", or None: anyone
    data: dict[str, Any] | None = None
    query: dict[str, str] = field(default_factory=dict)
    api: bool = False  # with the person's bearer token, as the API's clients call; else signed in
    status: int = 200
    # Text the answer holds (for a redirect: its address), so an empty page cannot pass.
    shows: str = ""
    # For a change: true once it is made (read from the database after the request).
    done: Callable[[], Any] | None = None


Case = Callable[[w.World], Call]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(make: Case) -> Case:
        CASES[name] = make
        return make

    return register


_serial = itertools.count(1)


def fresh_received(world: w.World) -> Dossier:
    return dossier_create(
        actor=world.people["desk"],
        procedure_code=w.BIRTH_CODE,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def fresh_at_specialist(world: w.World) -> Dossier:
    return w.act(fresh_received(world), "transfer", world.people["desk"])


def fresh_at_leader(world: w.World) -> Dossier:
    dossier = fresh_at_specialist(world)
    w.act(dossier, "forward", world.people["specialist"])
    return w.act(dossier, "forward", world.people["police"])


def status_of(dossier: Dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).status


def assignee_of(dossier: Dossier) -> str:
    task = ProcessTask.objects.get(dossier=dossier, finished_at__isnull=True)
    return task.assignee.get_username() if task.assignee else ""


# The API ---------------------------------------------------------------------------------


@case("POST /api/v1/auth/token")
def _token(world: w.World) -> Call:
    body = {"username": world.people["desk"].get_username(), "password": PASSWORD}
    return Call("post", f"{API}/auth/token", None, body, shows='"token"')


@case("GET /api/v1/procedures")
def _procedures(world: w.World) -> Call:
    return Call("get", f"{API}/procedures", None, shows="Thủ tục hộ tịch số 1")


@case("GET /api/v1/procedures/{national_code}")
def _procedure(world: w.World) -> Call:
    return Call("get", f"{API}/procedures/{w.BIRTH_CODE}", None, shows="Giấy chứng sinh")


@case("GET /api/v1/agencies")
def _agencies(world: w.World) -> Call:
    return Call("get", f"{API}/agencies", None, shows="xã Số 1")


@case("POST /api/v1/dossiers")
def _create(world: w.World) -> Call:
    body = {
        "procedure": w.BIRTH_CODE,
        "channel": "counter",
        "return_method": "counter",
        "applicant": {
            "type": 1,
            "full_name": CITIZEN.name,
            "id_number": CITIZEN.id_number,
            "date_of_birth": CITIZEN.birth_date.isoformat(),
            "gender": CITIZEN.gender,
            "phone": CITIZEN.phone,
            "address": {"ward_code": CITIZEN.ward_code, "street": CITIZEN.street},
        },
        "form_data": {"child_full_name": "Trần Gia Bảo", "child_gender": "male"},
        "papers": [{"component": "TP01"}, {"component": "TP02"}],
    }
    return Call("post", f"{API}/dossiers", "desk", body, api=True, status=201, shows='"received"')


@case("GET /api/v1/dossiers")
def _worklist(world: w.World) -> Call:
    return Call("get", f"{API}/dossiers", "desk", api=True, shows=world.dossier.applicant_name)


@case("GET /api/v1/dossiers (citizen, session)")
def _citizen_worklist(world: w.World) -> Call:
    return Call("get", f"{API}/dossiers", "citizen", shows=CITIZEN.name)


@case("GET /api/v1/dossiers/{key}")
def _detail(world: w.World) -> Call:
    code = world.dossier.code
    return Call("get", f"{API}/dossiers/{code}", "specialist", api=True, shows=code)


@case("POST /api/v1/dossiers/{key}/actions/{action}")
def _perform(world: w.World) -> Call:
    dossier = fresh_received(world)
    path = f"{API}/dossiers/{dossier.code}/actions/transfer"
    return Call(
        "post",
        path,
        "desk",
        {"version": dossier.version},
        api=True,
        done=lambda: status_of(dossier) == "processing",
    )


@case("POST /api/v1/dossiers/{key}/approve")
def _approve(world: w.World) -> Call:
    dossier = fresh_at_leader(world)
    result = SimpleUploadedFile("giay-khai-sinh.pdf", w.RESULT, "application/pdf")
    return Call(
        "post",
        f"{API}/dossiers/{dossier.code}/approve",
        "leader",
        {"version": dossier.version, "result": result},
        api=True,
        done=lambda: status_of(dossier) == "result_ready",
    )


@case("POST /api/v1/dossiers/{key}/assign")
def _assign(world: w.World) -> Call:
    dossier = fresh_at_specialist(world)
    other = world.people["specialist2"].get_username()
    return Call(
        "post",
        f"{API}/dossiers/{dossier.code}/assign",
        "leader",
        {"version": dossier.version, "assignee": other},
        api=True,
        done=lambda: assignee_of(dossier) == other,
    )


@case("GET /api/v1/dossiers/{key}/events")
def _events(world: w.World) -> Call:
    path = f"{API}/dossiers/{world.dossier.code}/events"
    return Call("get", path, "specialist", api=True, shows='"assign"')


@case("POST /api/v1/dossiers/{key}/documents")
def _attach(world: w.World) -> Call:
    dossier = fresh_at_specialist(world)
    data = {"file": SimpleUploadedFile("ban-sao.pdf", PDF), "component": "TP02"}
    path = f"{API}/dossiers/{dossier.code}/documents"
    return Call("post", path, "specialist", data, api=True, status=201, shows="ban-sao.pdf")


@case("GET /api/v1/dossiers/{key}/documents")
def _documents(world: w.World) -> Call:
    path = f"{API}/dossiers/{world.dossier.code}/documents"
    return Call("get", path, "specialist", api=True, shows="tokhai.pdf")


@case("GET /api/v1/dossiers/{key}/documents/{document_uuid}")
def _download(world: w.World) -> Call:
    path = f"{API}/dossiers/{world.dossier.code}/documents/{world.document.uuid}"
    return Call("get", path, "specialist", api=True)


@case("GET /api/v1/dossiers/{key}/forms/{form}.pdf")
def _form(world: w.World) -> Call:
    # The process control slip (Mẫu 05): every step of the dossier, with its times.
    return Call("get", f"{API}/dossiers/{world.dossier.code}/forms/05.pdf", "desk", api=True)


# The month's book as the worklist links it; the printable one for this week (Monday to
# today): with a month of 1,000 dossiers' receipts in it, WeasyPrint takes over a minute.
MONTH = {"from": "2026-11-01", "to": "2026-11-18"}
WEEK = {"from": "2026-11-16", "to": "2026-11-18"}


@case("GET /api/v1/agencies/{code}/tracking-book.pdf")
def _book_pdf(world: w.World) -> Call:
    path = f"{API}/agencies/{COMMUNE_CENTER}/tracking-book.pdf"
    return Call("get", path, "desk", query=WEEK, api=True)


@case("GET /api/v1/agencies/{code}/tracking-book.xlsx")
def _book_xlsx(world: w.World) -> Call:
    path = f"{API}/agencies/{COMMUNE_CENTER}/tracking-book.xlsx"
    return Call("get", path, "desk", query=MONTH, api=True)


@case("GET /api/v1/public/dossiers/{code}")
def _public(world: w.World) -> Call:
    code = world.dossier.code
    return Call("get", f"{API}/public/dossiers/{code}", None, shows=code)


# The officers' pages ------------------------------------------------------------------------


@case("GET /can-bo/")
def _desk(world: w.World) -> Call:
    return Call("get", "/can-bo/", "desk", shows=f"{COMMUNE_CENTER}-2611")


@case("GET /can-bo/ (tab=intake)")
def _desk_intake(world: w.World) -> Call:
    return Call("get", "/can-bo/", "desk", query={"tab": "intake"}, shows="Kiểm tra trước")


@case("GET /can-bo/ (tab=mine, specialist)")
def _desk_mine(world: w.World) -> Call:
    code = world.dossier.code
    return Call("get", "/can-bo/", "specialist", query={"tab": "mine"}, shows=code)


@case("GET /can-bo/tong-quan/")
def _dashboard(world: w.World) -> Call:
    return Call("get", "/can-bo/tong-quan/", "leader", shows="Tổng quan tháng 11/2026")


@case("POST /can-bo/co-quan/")
def _choose_agency(world: w.World) -> Call:
    agency = world.people["desk"].memberships.get().agency_id
    return Call("post", "/can-bo/co-quan/", "desk", {"agency": agency}, status=302)


@case("GET /can-bo/tiep-nhan/")
def _intake_start(world: w.World) -> Call:
    query = {"q": "thu tuc"}
    return Call("get", "/can-bo/tiep-nhan/", "desk", query=query, shows="Thủ tục hộ tịch số 1")


@case("POST /can-bo/tiep-nhan/nguoi-nop/")
def _intake_earlier(world: w.World) -> Call:
    data = {"id_number": CITIZEN.id_number}
    return Call("post", "/can-bo/tiep-nhan/nguoi-nop/", "desk", data, shows=CITIZEN.street)


@case("POST /can-bo/tiep-nhan/tra-cuu-dan-cu/")
def _intake_population(world: w.World) -> Call:
    # The simulator derives this person from the number alone (sims/README.md §2).
    data = {"id_number": "089095001234"}
    return Call("post", "/can-bo/tiep-nhan/tra-cuu-dan-cu/", "desk", data, shows="Đinh Trọng Dũng")


@case("GET /can-bo/tiep-nhan/xa-phuong/")
def _intake_wards(world: w.World) -> Call:
    query = {"ward_name": "long"}
    return Call("get", "/can-bo/tiep-nhan/xa-phuong/", "desk", query=query, shows="Long Xuyên")


@case("GET /can-bo/tiep-nhan/<str:national_code>/")
def _intake_form(world: w.World) -> Call:
    return Call("get", f"/can-bo/tiep-nhan/{w.BIRTH_CODE}/", "desk", shows="Giấy chứng sinh")


@case("POST /can-bo/tiep-nhan/<str:national_code>/")
def _intake(world: w.World) -> Call:
    data = {
        "token": f"{next(_serial):032x}",
        "applicant_type": "1",
        "id_number": CITIZEN.id_number,
        "full_name": CITIZEN.name,
        "date_of_birth": CITIZEN.birth_date.isoformat(),
        "gender": CITIZEN.gender,
        "phone": CITIZEN.phone,
        "ward_code": str(CITIZEN.ward_code),
        "street": CITIZEN.street,
        "return_method": "counter",
        "decision": "receive",
        "f_child_full_name": "Trần Gia Bảo",
        "f_child_gender": "male",
        "original_TP01": "on",
        "doc_TP02": SimpleUploadedFile("giay-chung-sinh.pdf", PDF),
    }
    path = f"/can-bo/tiep-nhan/{w.BIRTH_CODE}/"
    return Call("post", path, "desk", data, status=302, shows="/?in=01")  # the receipt to print


@case("GET /can-bo/ho-so/<str:key>/")
def _dossier_page(world: w.World) -> Call:
    path = f"/can-bo/ho-so/{world.dossier.code}/"
    return Call("get", path, "specialist", shows="Tờ khai đăng ký khai sinh")


@case("POST /can-bo/ho-so/<str:key>/thao-tac/<str:action>/")
def _dossier_action(world: w.World) -> Call:
    dossier = fresh_received(world)
    return Call(
        "post",
        f"/can-bo/ho-so/{dossier.code}/thao-tac/transfer/",
        "desk",
        {"version": dossier.version},
        status=302,
        done=lambda: status_of(dossier) == "processing",
    )


@case("POST /can-bo/ho-so/<str:key>/giao-viec/")
def _dossier_assign(world: w.World) -> Call:
    dossier = fresh_at_specialist(world)
    other = world.people["specialist2"].get_username()
    return Call(
        "post",
        f"/can-bo/ho-so/{dossier.code}/giao-viec/",
        "leader",
        {"version": dossier.version, "assignee": other},
        status=302,
        done=lambda: assignee_of(dossier) == other,
    )


@case("GET /can-bo/lich-hen/")
def _appointments(world: w.World) -> Call:
    return Call("get", "/can-bo/lich-hen/", "desk", shows="Người hẹn số 0")


@case("POST /can-bo/lich-hen/<uuid:appointment_uuid>/da-den/")
def _arrive(world: w.World) -> Call:
    serial = next(_serial)
    booked = appointment_book(
        actor=None,
        desk_code=COMMUNE_CENTER,
        procedure_code=w.BIRTH_CODE,
        starts_at=w.NOW.replace(hour=16, minute=30 * (serial % 2)),
        person=Person(full_name="Lê Văn Tám", phone=f"0977{serial:06d}"),
    )
    return Call(
        "post",
        f"/can-bo/lich-hen/{booked.uuid}/da-den/",
        "desk",
        status=302,
        shows=f"/can-bo/lich-hen/{booked.uuid}/so/",
    )


@case("GET /can-bo/lich-hen/<uuid:appointment_uuid>/so/")
def _ticket(world: w.World) -> Call:
    path = f"/can-bo/lich-hen/{world.appointment.uuid}/so/"
    return Call("get", path, "desk", shows=world.appointment.full_name)


@case("GET /can-bo/phan-anh/")
def _feedback_queue(world: w.World) -> Call:
    return Call("get", "/can-bo/phan-anh/", "justice", shows="Phản ánh số 0")


@case("GET /can-bo/phan-anh/<uuid:reference>/")
def _feedback(world: w.World) -> Call:
    path = f"/can-bo/phan-anh/{world.feedback.reference}/"
    return Call("get", path, "justice", shows=world.feedback.title)


@case("POST /can-bo/phan-anh/<uuid:reference>/thao-tac/<str:action>/")
def _feedback_classify(world: w.World) -> Call:
    sent = feedback_send(actor=AnonymousUser(), data=w.FEEDBACK)
    return Call(
        "post",
        f"/can-bo/phan-anh/{sent.reference}/thao-tac/classify/",
        "justice",
        {"category": "handling", "note": ""},
        status=302,
        done=lambda: Feedback.objects.get(pk=sent.pk).status == "accepted",
    )


@case("GET /can-bo/lien-thong/")
def _bus(world: w.World) -> Call:
    return Call("get", "/can-bo/lien-thong/", "operator", shows="budget:9")


@case("GET /can-bo/lien-thong/tinh-trang/")
def _bus_health(world: w.World) -> Call:
    return Call("get", "/can-bo/lien-thong/tinh-trang/", "operator", shows="dvcqg")


@case("GET /can-bo/lien-thong/thu-loi/<int:message_id>/")
def _dead_letter(world: w.World) -> Call:
    dead = world.dead_letter
    path = f"/can-bo/lien-thong/thu-loi/{dead.pk}/"
    return Call("get", path, "operator", shows=dead.idempotency_key)


def fresh_dead_letter(world: w.World) -> OutboxMessage:
    """Another message the national portal refused, as the dead letter was."""
    values = {
        column.attname: getattr(world.dead_letter, column.attname)
        for column in OutboxMessage._meta.concrete_fields
        if not column.primary_key
    }
    values["idempotency_key"] = f"budget-dead-{next(_serial)}"
    return OutboxMessage.objects.create(**values)


def status_now(message: OutboxMessage) -> str:
    return OutboxMessage.objects.get(pk=message.pk).status


@case("POST /can-bo/lien-thong/thu-loi/<int:message_id>/gui-lai/")
def _replay(world: w.World) -> Call:
    dead = fresh_dead_letter(world)
    path = f"/can-bo/lien-thong/thu-loi/{dead.pk}/gui-lai/"
    return Call("post", path, "operator", status=302, done=lambda: status_now(dead) == "pending")


@case("POST /can-bo/lien-thong/thu-loi/<int:message_id>/huy/")
def _discard(world: w.World) -> Call:
    dead = fresh_dead_letter(world)
    return Call(
        "post",
        f"/can-bo/lien-thong/thu-loi/{dead.pk}/huy/",
        "operator",
        {"reason": "Cổng từ chối vĩnh viễn: hồ sơ đã được đồng bộ bằng tay."},
        status=302,
        done=lambda: status_now(dead) == "discarded",
    )


@case("GET /can-bo/lien-thong/nhat-ky/<int:seq>/")
def _log_row(world: w.World) -> Call:
    path = f"/can-bo/lien-thong/nhat-ky/{world.log_seq}/"
    return Call("get", path, "operator", shows=f"#{world.log_seq}")


@case("GET /can-bo/thong-bao/")
def _notifications(world: w.World) -> Call:
    return Call("get", "/can-bo/thong-bao/", "specialist", shows="đã chuyển đến bạn")


def unread(world: w.World) -> QuerySet[StaffNotification]:
    return StaffNotification.objects.filter(
        recipient=world.people["specialist"], read_at__isnull=True
    )


@case("POST /can-bo/thong-bao/da-doc-tat-ca/")
def _read_all(world: w.World) -> Call:
    # Every notice unread again: the officer has a pile to clear.
    StaffNotification.objects.filter(recipient=world.people["specialist"]).update(read_at=None)
    path = "/can-bo/thong-bao/da-doc-tat-ca/"
    return Call("post", path, "specialist", status=302, done=lambda: not unread(world).exists())


@case("POST /can-bo/thong-bao/<int:notification_id>/da-doc/")
def _read_one(world: w.World) -> Call:
    notice = StaffNotification.objects.create(
        recipient=world.people["specialist"], title="Hồ sơ mới", body="Bước Thẩm định."
    )
    return Call(
        "post",
        f"/can-bo/thong-bao/{notice.pk}/da-doc/",
        "specialist",
        status=302,
        done=lambda: not unread(world).filter(pk=notice.pk).exists(),
    )


@case("POST /can-bo/thong-bao/thu-dien-tu/")
def _staff_email(world: w.World) -> Call:
    officer = world.people["specialist"]
    return Call(
        "post",
        "/can-bo/thong-bao/thu-dien-tu/",
        "specialist",
        {"email": "0"},
        status=302,
        done=lambda: NotificationPreference.objects.get(user=officer).email is False,
    )


# The public look-up ---------------------------------------------------------------------------


@case("GET /tra-cuu/")
def _lookup(world: w.World) -> Call:
    query = {"ma": world.dossier.code}
    return Call("get", "/tra-cuu/", None, query=query, shows="Thẩm định hồ sơ")


@case("GET /tra-cuu/<str:code>/")
def _lookup_code(world: w.World) -> Call:
    return Call("get", f"/tra-cuu/{world.dossier.code}/", None, shows="Thẩm định hồ sơ")


# ------------------------------------------------------------------------------ measuring


def _send(client: Client, world: w.World, call: Call) -> Any:
    headers = {}
    if call.api and call.who is not None:
        headers["Authorization"] = f"Bearer {world.tokens[call.who]}"
    path = f"{call.path}?{urlencode(call.query)}" if call.query else call.path
    if call.method == "get":
        return client.get(path, headers=headers)
    data = call.data or {}
    if call.path.startswith(API) and not any(
        isinstance(value, SimpleUploadedFile) for value in data.values()
    ):
        return client.post(path, json.dumps(data), content_type="application/json", headers=headers)
    return client.post(path, data, headers=headers)


def _measured(client: Client, world: w.World, call: Call) -> tuple[Any, list[str]]:
    """The request's answer and every statement it ran, its content read to the end."""
    with CaptureQueriesContext(connection) as queries:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = _send(client, world, call)
        if response.streaming:
            b"".join(response.streaming_content)
            # Closed as the test client closes the others: without closing the connection
            # (the test's transaction) on the way, as a server's end of request would.
            request_finished.disconnect(close_old_connections)
            try:
                response.close()
            finally:
                request_finished.connect(close_old_connections)
    return response, [query["sql"] for query in queries.captured_queries]


def _checked(name: str, call: Call, response: Any) -> None:
    """The request did what its user asked: the status, the text, the change."""
    shown = (
        response.get("Location", "")
        if response.status_code in (301, 302)
        else response.content.decode(errors="replace")
        if not response.streaming
        else ""
    )
    if "json" in response.get("Content-Type", "") and shown:
        shown = json.dumps(json.loads(shown), ensure_ascii=False)
    assert response.status_code == call.status, (
        f"{name} answered {response.status_code}, not {call.status}: {shown[:500]}"
    )
    assert call.shows in shown, f"{name}: {call.shows!r} not in {shown[:500]!r}"
    assert call.done is None or call.done(), f"{name}: the change was not made"


def _budget(name: str) -> int:
    budget = BUDGETS[name]
    return budget[connection.vendor] if isinstance(budget, dict) else budget


# Each request's count with the fewer dossiers, for the run with more.
_counted: dict[str, int] = {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_query_budget(world: w.World, name: str, request: pytest.FixtureRequest) -> None:
    if name in N_PLUS_ONE and world.size != w.SIZES[0]:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"N+1: {N_PLUS_ONE[name]}"))
    client = Client()
    # Twice, each on its own fresh target: what a process caches on first use (the
    # catalogue, the agencies, the bus's registry) is paid once, not by every request.
    for _ in ("warm-up", "measured"):
        call = CASES[name](world)
        if call.who is not None and not call.api:
            client.force_login(world.citizen if call.who == "citizen" else world.people[call.who])
        response, statements = _measured(client, world, call)
        _checked(name, call, response)
    count, budget = len(statements), _budget(name)
    print(f"{name}: {count} queries with {world.size} dossiers (budget {budget})")
    problems = []
    if count > budget:
        problems.append(f"ran {count} queries, over its budget of {budget}")
    smaller = _counted.get(name) if world.size != w.SIZES[0] else None
    if smaller is not None and count != smaller:
        problems.append(
            f"grows with the data: {smaller} queries with {w.SIZES[0]} dossiers, "
            f"{count} with {world.size}"
        )
    if world.size == w.SIZES[0]:
        _counted[name] = count
    if problems:
        listing = "\n".join(f"{n:4}  {sql[:120]}" for n, sql in enumerate(statements, 1))
        pytest.fail(f"{name} {'; '.join(problems)}:\n{listing}", pytrace=False)


# ------------------------------------------------------------------------------ completeness


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema(path_prefix=API)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _desk_pages() -> set[str]:
    return {f"/{route}" for route in _routes(get_resolver().url_patterns) if route.startswith(DESK)}


def _path_of(name: str) -> str:
    """ "GET /can-bo/ (tab=intake)" → "/can-bo/"."""
    return name.split(" ")[1]


def test_every_endpoint_and_page_has_a_budget() -> None:
    missing = sorted(_api_operations() - BUDGETS.keys())
    budgeted_paths = {_path_of(name) for name in BUDGETS}
    missing += sorted(f"a page at {page}" for page in _desk_pages() - budgeted_paths)
    assert not missing, (
        "Without a query budget (add a case to tests/test_query_budgets.py and its count to "
        "BUDGETS): " + ", ".join(missing)
    )
    assert {"GET /api/v1/public/dossiers/{code}", "GET /tra-cuu/<str:code>/"} <= BUDGETS.keys()
    assert BUDGETS.keys() == CASES.keys(), (
        f"Budgets without a case: {sorted(BUDGETS.keys() - CASES.keys())}; "
        f"cases without a budget: {sorted(CASES.keys() - BUDGETS.keys())}"
    )
    assert N_PLUS_ONE.keys() <= BUDGETS.keys()
