"""The demo month of dossiers (`make demo`): every status, made through the real services,
with genuine codes and event chains; written once, and the same each time."""

import datetime
import random
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import default_task_backend

from egov.accounts.vneid import VneidProfile, citizen_sign_in
from egov.core.identifiers import personal_id_problem, phone_problem
from egov.demo.dossiers import (
    DEMO_CITIZEN,
    DEMO_CITIZEN_EMAIL,
    DEMO_CITIZEN_STREET,
    People,
    demo_clock,
    seed_demo_dossiers,
)
from egov.demo.seed import seed_demo
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import (
    Apology,
    BookCounter,
    DailyCounter,
    Dossier,
    DossierDocument,
    DossierEvent,
    ProcessTask,
    SupplementRequest,
)
from egov.dossiers.selectors import (
    WorklistFilters,
    applicable_positions,
    dossier_worklist,
    event_chain_breaks,
    signing_position,
)
from egov.dossiers.selectors.citizen import my_documents, my_dossiers
from egov.interop.models import OutboxMessage, PortalSync
from egov.orgs.models import AgencyKind, Membership
from sims import population
from sims import vneid as vneid_sim

pytestmark = pytest.mark.django_db

CODE = re.compile(r"(\d{3}\.\d{2}\.\d{2}\.H01)-(\d{6})-(\d{4})")
BIRTH, POLICE = "1.001193", "000.00.13.H01"
WORKERS = [
    "tiepnhan.tinh",
    "chuyenvien.stp",
    "lanhdao.stp",
    "tiepnhan.longxuyen",
    "chuyenvien.longxuyen",
    "lanhdao.longxuyen",
]


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the scanned papers the desks attach
    seed_demo()


def test_a_month_of_work_in_every_status(seeded):
    report = seed_demo_dossiers(count=60)

    dossiers = Dossier.objects.select_related("procedure", "receiving_agency")
    assert report.created == dossiers.count() == 60
    assert set(report.by_status) == set(Status.values)
    assert all(report.by_status.values()), report.by_status  # every status, at least once
    assert Counter(dossiers.values_list("status", flat=True)) == report.by_status
    assert len({d.procedure_id for d in dossiers}) >= 8
    assert len({d.receiving_agency_id for d in dossiers}) >= 6
    assert {d.channel for d in dossiers} == {"counter", "online", "postal"}

    # Received in the month before today, and nothing after the start of today.
    today = timezone.localdate()
    start = timezone.localtime(min(d.submitted_at for d in dossiers)).date()
    assert today - datetime.timedelta(days=30) <= start
    last = max(DossierEvent.objects.values_list("at", flat=True))
    assert timezone.localtime(last).date() < today

    # Codes: unique, of the receiving desk and the day of receipt, numbered from 0001 on
    # without a gap, in the order of receipt.
    coded = sorted((d for d in dossiers if d.code), key=lambda d: d.received_at)
    assert len({d.code for d in coded}) == len(coded) >= 40
    numbers = defaultdict(list)
    for dossier in coded:
        desk, day, number = CODE.fullmatch(dossier.code).groups()
        assert desk == dossier.receiving_agency.code
        assert day == f"{timezone.localtime(dossier.received_at):%y%m%d}"
        numbers[desk, day].append(int(number))
    assert all(got == list(range(1, len(got) + 1)) for got in numbers.values())
    # Each desk's tracking book counts its receipts from 1; Mẫu 01 lists the papers taken in.
    books = defaultdict(list)
    for dossier in coded:
        books[dossier.receiving_agency_id].append(dossier.book_number)
    assert all(got == list(range(1, len(got) + 1)) for got in books.values())
    assert all(d.received_papers for d in coded)

    # Every chain verifies to the head its dossier keeps; every event of a dossier the
    # national portal knows is a step of exactly one of its messages.
    assert [b for b in event_chain_breaks() if b[1] is not None] == []
    payloads = OutboxMessage.objects.filter(topic="dvcqg.dossier.sync").values_list(
        "payload", flat=True
    )
    assert sum(len(p["QuaTrinhXuLy"]) for p in payloads) == sum(
        PortalSync.objects.values_list("queued_seq", flat=True)
    )
    assert PortalSync.objects.count() == Dossier.objects.exclude(code=None).count() + (
        Dossier.objects.filter(code=None, status__in=["refused", "withdrawn"]).count()
    )

    # Most on time or early, some late, a few apologised (once each).
    outcomes = Counter(dossiers.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes["early"] + outcomes["on_time"] > outcomes["late"] > 0
    assert report.decided_late == outcomes["late"]
    assert 0 < report.apologised == Apology.objects.count() < 60 // 4
    assert ProcessTask.objects.exclude(assignee=None).exists()
    assert DossierDocument.objects.filter(digitised=True).exists()
    _the_month_keeps_the_rules()

    # The demo logins find work in their worklists, and did work this month.
    for username in WORKERS:
        user = User.objects.get(username=username)
        assert dossier_worklist(actor=user, filters=WorklistFilters(), after=None, limit=5)
        assert DossierEvent.objects.filter(actor=user).exists(), username
    citizen = User.objects.get(username="congdan.0001")
    assert not citizen.has_usable_password() and not citizen.memberships.exists()
    assert Dossier.objects.filter(owner=citizen).exists()

    # A second run writes nothing and says so.
    events = DossierEvent.objects.count()
    again = seed_demo_dossiers(count=60)
    assert again.skipped and again.created == 0
    assert again.by_status == report.by_status
    assert DossierEvent.objects.count() == events
    assert "không tạo hồ sơ mẫu" in again.summary()


def _demo_citizen(level: int) -> User:
    """The VNeID simulator's first demo account signed in, as the population simulator knows
    him (what VNeID vouches for)."""
    account = vneid_sim.DEMO_ACCOUNTS[0]
    record = population.person(account.number)
    assert record is not None and account.level == 2
    born = record["NgaySinh"]
    return citizen_sign_in(
        profile=VneidProfile(
            subject=account.sub,
            kind="person",
            level=level,
            id_number=account.number,
            full_name=record["HoVaTen"],
            birth_date=datetime.date(int(born[:4]), int(born[4:6]), int(born[6:])),
            gender="male" if record["GioiTinh"] == "1" else "female",
            phone="",
            email="",
            address=record["NoiThuongTru"]["ChiTiet"],
            ward_code=int(record["NoiThuongTru"]["MaXa"]),
        )
    )


def test_the_vneid_demo_citizen_finds_his_history(seeded):
    """Nguyễn Tấn An signs in with VNeID (level 2) and finds two dossiers the Long Xuyên
    counter received for him, their scanned papers, and the signed result of the one returned."""
    seed_demo_dossiers(count=20)
    assert Dossier.objects.count() == 20  # his two are part of the month's count
    user = _demo_citizen(level=2)

    record = population.person(DEMO_CITIZEN.id_number)
    assert record is not None
    claims = vneid_sim.person_claims(DEMO_CITIZEN.id_number)
    assert DEMO_CITIZEN.phone == "0" + claims["phone_number"].removeprefix("+84")
    assert claims["email"] == DEMO_CITIZEN_EMAIL
    assert f"{DEMO_CITIZEN_STREET}, phường Long Xuyên" in record["NoiThuongTru"]["ChiTiet"]
    dossiers = list(my_dossiers(actor=user))
    assert len(dossiers) == 2
    marriage, certificate = dossiers  # newest first
    for dossier in dossiers:
        assert (dossier.applicant_type, dossier.applicant_id_number) == (1, "091200001111")
        assert dossier.applicant_name == record["HoVaTen"] == "Nguyễn Tấn An"
        assert f"{dossier.applicant_birth_date:%Y%m%d}" == record["NgaySinh"]
        assert dossier.applicant_gender == "male" and record["GioiTinh"] == "1"
        assert dossier.applicant_ward_code == 30307 == int(record["NoiThuongTru"]["MaXa"])
        assert dossier.channel == "counter" and dossier.code and dossier.digitised
        assert dossier.procedure.level == "commune"
        assert dossier.receiving_agency.kind == AgencyKind.COMMUNE_SERVICE_CENTER
        assert dossier.receiving_agency.parent.ward_code == 30307
    assert marriage.procedure.national_code == "1.000894"
    assert marriage.status == Status.PROCESSING and marriage.due_at is not None
    assert marriage.form_data["groom_id_number"] == "091200001111"
    assert certificate.procedure.national_code == "1.004873"
    assert certificate.status == Status.RETURNED
    assert certificate.form_data["intended_spouse_name"] == marriage.form_data["bride_full_name"]
    # Both received in the demo month, the certificate first.
    today = timezone.localdate()
    assert today - datetime.timedelta(days=30) <= timezone.localtime(certificate.received_at).date()
    assert certificate.received_at < marriage.received_at
    assert timezone.localtime(marriage.received_at).date() < today

    documents = list(my_documents(actor=user))
    results = [d for d in documents if d.is_result]
    assert [d.dossier_id for d in results] == [certificate.pk]
    assert results[0].content_type == "application/pdf"
    with results[0].file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    approved = certificate.events.get(action="approve")
    assert approved.actor.memberships.filter(role="leader").exists()
    scanned = [d for d in documents if d.digitised]
    assert {d.dossier_id for d in scanned} == {marriage.pk, certificate.pk}
    assert all(d.uploaded_by.memberships.filter(role="reception").exists() for d in scanned)

    # A level-1 sign-in proves no identity: none of it shows.
    assert not my_dossiers(actor=_demo_citizen(level=1)).exists()


def _holds(user: User | None, agency_id: int, role: str) -> bool:
    return Membership.objects.filter(user=user, agency_id=agency_id, role=role).exists()


def _the_month_keeps_the_rules() -> None:
    """What the engine's rules (issue 9) look like in the month."""
    dossiers = list(Dossier.objects.select_related("procedure_revision"))
    # A dossier goes only through the steps its e-form asks for.
    for dossier in dossiers:
        positions = set(dossier.tasks.values_list("position", flat=True))
        assert positions <= set(applicable_positions(dossier)), dossier.code

    # Each step is handed on, sent back or signed by the holder of its role at its agency
    # (a clerk's step by a clerk), and the result is signed at the signing step.
    closing = DossierEvent.objects.filter(
        from_status=Status.PROCESSING, action__in=["forward", "send_back", "approve"]
    ).select_related("dossier__procedure_revision")
    for event in closing:
        task = ProcessTask.objects.get(dossier_id=event.dossier_id, finished_at=event.at)
        assert _holds(event.actor, task.agency_id, task.role), (event.dossier.code, event.action)
        if event.action == "approve":
            assert task.position == signing_position(event.dossier)
    assert closing.filter(actor__memberships__role="clerk").exists()

    # Some birth registrations go on to the police (permanent residence) once signed; the
    # last step's hand-over, not the signing, makes their result ready.
    registered = ProcessTask.objects.filter(
        dossier__procedure__national_code=BIRTH, agency__code=POLICE, finished_at__isnull=False
    ).select_related("dossier")
    assert registered.exists()
    for task in registered:
        assert task.dossier.form_data["request_permanent_residence"]
        signed = task.dossier.events.get(action="approve")
        assert signed.to_status == Status.PROCESSING and signed.at <= task.started_at
        assert task.dossier.events.get(to_status=Status.RESULT_READY).action == "forward"

    # Only the competent agency's leaders ask for the financial obligation, stop or apologise.
    for event in DossierEvent.objects.filter(
        action__in=["request_obligation", "stop", "apologize"], actor__isnull=False
    ).select_related("dossier"):
        assert _holds(event.actor, event.dossier.competent_agency_id, "leader"), event.action
    assert DossierEvent.objects.filter(action="request_obligation").exists()

    # A supplement asked in processing is handed in by the applicant (or the desk for them)
    # and accepted by the officer who asked.
    accepted = SupplementRequest.objects.filter(at_intake=False, completed_at__isnull=False)
    assert accepted.exists()
    for supplement in accepted:
        assert supplement.answered_at is not None
        assert supplement.answered_at <= supplement.completed_at
        done = DossierEvent.objects.get(
            dossier_id=supplement.dossier_id, action="complete_supplement"
        )
        assert done.actor_id == supplement.requested_by_id

    # A supplement never given ends the dossier only after its deadline: stopped when asked
    # in processing, refused when asked at intake; both happen this month.
    lapsed = DossierEvent.objects.filter(
        from_status=Status.SUPPLEMENT_REQUESTED, action__in=["stop", "refuse"]
    )
    assert {event.action for event in lapsed} == {"stop", "refuse"}
    for event in lapsed:
        asked = SupplementRequest.objects.filter(dossier_id=event.dossier_id).latest("requested_at")
        assert asked.deadline is not None and asked.deadline <= event.at
        assert event.action == ("refuse" if asked.at_intake else "stop")

    # The busiest commune's leader hands out the steps waiting for one of its two specialists.
    assert DossierEvent.objects.filter(action="assign").exists()


def _snapshot() -> list[tuple]:
    rows: list[tuple] = [
        (
            d.code,
            d.status,
            d.applicant_name,
            d.applicant_id_number,
            d.form_data,
            d.due_at,
            d.book_number,
            d.received_papers,
        )
        for d in Dossier.objects.order_by("pk")
    ]
    rows += DossierEvent.objects.order_by("pk").values_list(
        "seq", "action", "at", "actor_label", "note"
    )
    return rows


def _forget_the_month() -> None:
    """Back to a database with no dossier (what a fresh one after seed_demo has)."""
    OutboxMessage.objects.all().delete()
    DossierEvent.objects.all().delete()
    Dossier.objects.all().delete()
    DailyCounter.objects.all().delete()
    BookCounter.objects.all().delete()
    User.objects.filter(username__startswith="congdan.").delete()


def test_two_runs_write_the_same_month(seeded):
    seed_demo_dossiers(count=20)
    first = _snapshot()
    _forget_the_month()
    seed_demo_dossiers(count=20)
    assert _snapshot() == first


def test_the_command_plays_the_month_once_then_wakes_the_outbox_worker(seeded, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    out = StringIO()
    call_command("seed_demo_dossiers", count=20, stdout=out)
    said = out.getvalue()
    assert said.startswith("Đã nạp xong hồ sơ mẫu (") and "Hồ sơ mẫu: 20 (" in said
    assert Dossier.objects.count() == 20
    # make demo's run writes its outbox rows without a kick each: one wakes the worker after.
    queued = [result.task.name for result in default_task_backend.results]
    assert queued.count("deliver_outbox") == 1
    again = StringIO()
    call_command("seed_demo_dossiers", count=20, stdout=again)
    assert again.getvalue().strip() == "Đã có 20 hồ sơ trong hệ thống: không tạo hồ sơ mẫu."
    assert Dossier.objects.count() == 20


def test_the_command_refuses_a_month_too_small_or_without_the_logins():
    with pytest.raises(CommandError, match="ít nhất 20 hồ sơ trong ít nhất 14 ngày"):
        call_command("seed_demo_dossiers", count=5, stdout=StringIO())
    with pytest.raises(CommandError, match="Chạy seed_demo trước"):
        call_command("seed_demo_dossiers", count=20, stdout=StringIO())


def test_applicants_have_consistent_ids_and_phones():
    people = People(random.Random(1))  # noqa: S311
    for _ in range(300):
        person = people.person(ages=(0, 95), on=datetime.date(2026, 11, 16), prefix="089")
        assert (
            personal_id_problem(person.id_number, date_of_birth=person.birth, gender=person.gender)
            is None
        ), person
        assert phone_problem(person.phone) is None
        _, *middle, given = person.name.split()
        assert middle and given[0].isupper()


def test_the_demo_clock_moves_now_only_inside():
    instant = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
    with demo_clock(instant) as clock:
        assert timezone.now() == instant
        clock.now = instant + datetime.timedelta(hours=2)
        assert timezone.now() == instant + datetime.timedelta(hours=2)
    assert abs(timezone.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    naive = datetime.datetime(2026, 11, 2, 9, 30)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(ValueError), demo_clock(naive):
        timezone.now()  # never reached: entering the clock refuses a naive instant
