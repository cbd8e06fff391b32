"""The world the query budgets are measured in (tests/test_query_budgets.py): one small
province at two sizes, 10 and 1,000 dossiers at the Long Xuyên desk (and as many rows of each
other list a page shows), built once per size.

What people do is done by the real services: the agencies, the catalogue, the staff, a citizen
signed in through VNeID, a birth registration in each state of its life, an appointment, a
feedback, a dead letter on the bus. Those rows are then copied in bulk (`bulk_create`), with
their events, steps, fees, files, supplement requests and portal sync rows, until the size is
reached: eight dossiers a working day going back from today, in every state for the last two
weeks and returned before that. A data generator for measuring reads, not a way to make real
dossiers. The dossier the pages and the API are asked about (`World.dossier`) is made by the
services too, and has more rows of its own at the larger size (scans, events, steps, fees),
so that a query per event or per file shows as well as a query per dossier.

The clock stands still at `NOW` (the caller sees to it) while the world exists.
"""

import copy
import datetime
import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.test import RequestFactory

from egov.accounts.services import api_token_issue
from egov.accounts.vneid import VneidProfile, citizen_sign_in
from egov.appointments.models import Appointment
from egov.appointments.rules import Person
from egov.appointments.services import appointment_arrive, appointment_book
from egov.catalog.services import procedures_import
from egov.core.hashchain import GENESIS, entry_hash
from egov.core.models import ReferenceStamp
from egov.core.text import fold
from egov.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFee,
    ProcessTask,
    SupplementRequest,
)
from egov.dossiers.services import (
    IntakeFile,
    ResultFile,
    counter_intake,
    dossier_approve,
    dossier_create,
    dossier_perform,
    task_assign,
)
from egov.feedback.models import Feedback, FeedbackEvent
from egov.feedback.services import FeedbackInput, feedback_send
from egov.interop import registry_snapshot
from egov.interop.adapters.http import Attempt
from egov.interop.models import (
    LogHead,
    MessageLog,
    OutboxMessage,
    OutboxStatus,
    PortalSync,
)
from egov.interop.services.delivery import attempt_settle
from egov.interop.services.outbox import claim_due
from egov.interop.services.registry import registry_install
from egov.notifications.models import StaffNotification
from egov.orgs.services import agency_upsert, staff_provision
from tests.conftest import (
    BIRTH,
    CENTER,
    COMMUNE,
    COMMUNE_CENTER,
    CRIMINAL_RECORD,
    JUSTICE,
    PASSWORD,
    POLICE,
    PROVINCE,
    REFORM_DAY,
    VN,
    catalogue,
)
from tests.dossiers.conftest import CITIZEN
from tests.uploads import PDF, pdf

# A Wednesday morning in the middle of the month.
NOW = datetime.datetime(2026, 11, 18, 9, 0, tzinfo=VN)
SIZES = (10, 1000)
BIRTH_CODE = BIRTH["national_code"]

AGENCIES = [
    (PROVINCE, "Ủy ban nhân dân tỉnh An Giang", "provincial_committee", None, None),
    (JUSTICE, "Sở Tư pháp tỉnh An Giang", "department", PROVINCE, None),
    (POLICE, "Công an tỉnh An Giang", "vertical_unit", PROVINCE, None),
    (CENTER, "Trung tâm Phục vụ hành chính công tỉnh An Giang", "province_service_center",
     PROVINCE, None),
    (COMMUNE, "Ủy ban nhân dân phường Long Xuyên", "commune_committee", PROVINCE, 30307),
    (COMMUNE_CENTER, "Trung tâm Phục vụ hành chính công phường Long Xuyên",
     "commune_service_center", COMMUNE, 30307),
]  # fmt: skip

# Who does what, as tests.conftest's `people`, and the province's bus operator.
STAFF = {
    "desk": ("tiepnhan.xa", COMMUNE_CENTER, "reception"),
    "specialist": ("chuyenvien.xa", COMMUNE, "specialist"),
    "specialist2": ("chuyenvien2.xa", COMMUNE, "specialist"),
    "leader": ("lanhdao.xa", COMMUNE, "leader"),
    "police": ("congan", POLICE, "specialist"),
    "justice": ("chuyenvien.stp", JUSTICE, "specialist"),
    "justice_leader": ("lanhdao.stp", JUSTICE, "leader"),
    "auditor": ("thanhtra", PROVINCE, "auditor"),
    "operator": ("quantri.tinh", PROVINCE, "province_admin"),
}

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

FEEDBACK = FeedbackInput(
    kind="report",
    subject_type="procedure",
    procedure_code=CRIMINAL_RECORD["national_code"],
    title="Cấp phiếu lý lịch tư pháp chậm",
    content="Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp đã quá hạn mà chưa nhận được kết quả.",
    sender_name="Trần Văn Bình",
    sender_phone="0987654321",
    sender_email="binh@example.vn",
    consent=True,
)

REFUSED = Attempt(
    outcome="rejected",
    status=400,
    code="302",
    error="HTTP 400 [302] Ngày tiếp nhận không đúng định dạng",
    duration_ms=85,
    request=b'{"MaHoSo": "x"}',
    response=b'{"error_code": "302"}',
)


@dataclass
class World:
    size: int
    people: dict[str, Any]  # by the keys of STAFF
    citizen: Any  # signed in through VNeID at level 2: CITIZEN
    tokens: dict[str, str]  # the bearer tokens of the API's callers, by the keys of STAFF
    # What the requests that read one thing ask about.
    dossier: Dossier  # at the specialist's step: scans, events, fees, and more at size 1,000
    document: DossierDocument  # its declaration, scanned at the counter (a file in storage)
    appointment: Appointment  # today's, arrived, with its queue number
    feedback: Feedback  # to the Justice department, waiting to be classified
    dead_letter: OutboxMessage  # the national portal refused it
    log_seq: int  # the bus's latest log row


def act(dossier: Dossier, action: str, actor: Any, **params: Any) -> Dossier:
    """Take an action with the version the dossier shows (as a page or a client would)."""
    dossier.refresh_from_db()
    return dossier_perform(
        key=dossier.code or str(dossier.reference),
        action=action,
        actor=actor,
        version=dossier.version,
        **params,
    )


# A birth registration in each state of its life, by the real services.


def submitted_online(people: dict[str, Any], citizen: Any) -> Dossier:
    return dossier_create(
        actor=citizen,
        procedure_code=BIRTH_CODE,
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
    )


def received(people: dict[str, Any], citizen: Any = None) -> Dossier:
    """Received at the Long Xuyên desk, the declaration scanned, the birth note checked."""
    scan = IntakeFile(component="TP01", stream=io.BytesIO(PDF), name="tokhai.pdf", size=len(PDF))
    return counter_intake(
        actor=people["desk"],
        procedure_code=BIRTH_CODE,
        agency_code=None,
        applicant=CITIZEN,
        return_method="counter",
        form_data={"child_full_name": "Trần Gia Bảo", "child_gender": "male"},
        submitter=None,
        files=[scan],
        decision="receive",
        note="",
        items=[],
        originals_checked=["TP02"],
    )


def at_specialist(people: dict[str, Any], citizen: Any = None) -> Dossier:
    """Transferred to the commune, whose leader gives the step to the first specialist."""
    dossier = act(received(people), "transfer", people["desk"])
    task_assign(
        actor=people["leader"],
        key=dossier.code,
        version=dossier.version,
        assignee_username=people["specialist"].get_username(),
    )
    dossier.refresh_from_db()
    return dossier


def supplement_asked(people: dict[str, Any], citizen: Any = None) -> Dossier:
    return act(
        at_specialist(people),
        "request_supplement",
        people["specialist"],
        note="Ảnh giấy chứng sinh bị mờ.",
        items=["Giấy chứng sinh bản rõ nét"],
    )


def at_leader(people: dict[str, Any], citizen: Any = None) -> Dossier:
    dossier = at_specialist(people)
    act(dossier, "forward", people["specialist"])
    return act(dossier, "forward", people["police"])


RESULT = pdf(b"% Giay khai sinh ban chinh\n")


def result_ready(people: dict[str, Any], citizen: Any = None) -> Dossier:
    dossier = at_leader(people)
    dossier.refresh_from_db()
    return dossier_approve(
        actor=people["leader"],
        key=dossier.code,
        version=dossier.version,
        note="",
        result=ResultFile(stream=io.BytesIO(RESULT), name="giay-khai-sinh.pdf", size=len(RESULT)),
    )


def returned(people: dict[str, Any], citizen: Any = None) -> Dossier:
    return act(
        result_ready(people),
        "return_result",
        people["desk"],
        recipient_name=CITIZEN.name,
        recipient_id_number=CITIZEN.id_number,
    )


STATES = [submitted_online, received, at_specialist, supplement_asked, at_leader, result_ready]


def build(size: int) -> World:
    """The province with `size` dossiers at the Long Xuyên desk and `size` rows of each
    other list (a tenth as many agencies, procedures and appointments of the day)."""
    # A database flushed by an earlier test (a live server) has lost the migrations' rows.
    ReferenceStamp.objects.get_or_create(pk=1, defaults={"value": 1})
    registry_install()
    registry_snapshot.forget()
    for code, name, kind, parent, ward in AGENCIES:
        agency_upsert(
            code=code,
            name=name,
            kind=kind,
            parent_code=parent,
            province_code=91,
            ward_code=ward,
            valid_from=REFORM_DAY,
        )
    _more_communes(size // 10)
    procedures_import(data=catalogue(BIRTH, CRIMINAL_RECORD, *_more_procedures(size // 10)))
    people = {key: _staff(key) for key in STAFF}
    citizen = citizen_sign_in(profile=PERSON)

    models = [make(people, citizen) for make in STATES]
    history = returned(people)
    dossier = at_specialist(people)
    document = dossier.documents.get()
    _copy_dossiers([*models, history], history, size - len(models) - 2)
    _more_children(dossier, size // 100)

    appointment = _appointments(people, size // 10)
    feedback = _feedbacks(size)
    _notifications(people["specialist"], size)
    dead = _dead_letter()
    _more_messages(size, dead)
    return World(
        size=size,
        people=people,
        citizen=citizen,
        tokens={key: _token(people[key]) for key in ("desk", "specialist", "leader")},
        dossier=Dossier.objects.get(pk=dossier.pk),
        document=document,
        appointment=appointment,
        feedback=feedback,
        dead_letter=dead,
        log_seq=LogHead.objects.get(pk=1).seq,
    )


def _staff(key: str) -> Any:
    username, agency, role = STAFF[key]
    user, _ = staff_provision(
        username=username,
        password=PASSWORD,
        agency_code=agency,
        roles=[role],
        full_name=f"Cán bộ {username}",
        email=f"{username}@angiang.gov.vn",
    )
    return user


def _token(user: Any) -> str:
    request = RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR="127.0.0.1")
    return api_token_issue(request=request, username=user.get_username(), password=PASSWORD)


def _more_communes(count: int) -> None:
    """Other wards of the province, each with its committee and its service center."""
    for n in range(count):
        middle = f"{60 + n // 100:02d}.{n % 100:02d}"
        agency_upsert(
            code=f"000.{middle}.H01",
            name=f"Ủy ban nhân dân xã Số {n + 1}",
            kind="commune_committee",
            parent_code=PROVINCE,
            province_code=91,
            valid_from=REFORM_DAY,
        )
        agency_upsert(
            code=f"001.{middle}.H01",
            name=f"Trung tâm Phục vụ hành chính công xã Số {n + 1}",
            kind="commune_service_center",
            parent_code=f"000.{middle}.H01",
            province_code=91,
            valid_from=REFORM_DAY,
        )


def _more_procedures(count: int) -> list[dict[str, Any]]:
    """More commune procedures like the birth registration, in a few sectors."""
    procedures = []
    for n in range(count):
        procedure = copy.deepcopy(BIRTH)
        procedure["national_code"] = f"1.{900000 + n:06d}"
        procedure["name"] = f"Thủ tục hộ tịch số {n + 1}"
        procedure["sector"] = {"code": f"LV{n % 5}", "name": f"Lĩnh vực số {n % 5}"}
        procedures.append(procedure)
    return procedures


def _clone(row: Model, *, shift: datetime.timedelta | None = None, **changes: Any) -> Any:
    """A copy of a row, to be inserted: every field as it is but the key and `changes`, its
    times moved by `shift`."""
    values = {}
    for column in row._meta.concrete_fields:
        if column.primary_key:
            continue
        value = getattr(row, column.attname)
        if shift is not None and isinstance(value, datetime.datetime):
            value += shift
        values[column.attname] = value
    values.update(changes)
    return type(row)(**values)


# The copies: this many dossiers a working day, going back from today; those of the last
# RECENT_DAYS working days in every state of the models, the older ones returned.
PER_DAY = 8
RECENT_DAYS = 10


def _working_days_back(count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = NOW.date()
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return days


def _copy_dossiers(models: list[Dossier], history: Dossier, count: int) -> None:
    """`count` copies of the model dossiers with all their rows: eight a working day going
    back from today, in every state of the models for two weeks, returned (as `history`)
    before that."""
    if count <= 0:
        return
    days = _working_days_back(count // PER_DAY + 1)
    plan = []
    for n in range(count):
        back = n // PER_DAY
        model = models[n % len(models)] if back < RECENT_DAYS else history
        shift = datetime.datetime.combine(days[back], NOW.timetz()) - NOW
        plan.append((model, shift))
    copies = []
    for n, (model, shift) in enumerate(plan):
        # One in ten is the signed-in citizen's (their personal ID number), as a person comes
        # back to the same desk.
        name, id_number = (
            (CITIZEN.name, CITIZEN.id_number)
            if n % 10 == 0
            else (
                f"Người nộp số {n}",
                f"0893{n:08d}",
            )
        )
        desk = model.code.rsplit("-", 2)[0] if model.code else ""
        code = f"{desk}-{(NOW + shift):%y%m%d}-{9000 + n:04d}" if model.code else None
        copies.append(
            _clone(
                model,
                shift=shift,
                code=code,
                reference=uuid.uuid4(),
                applicant_name=name,
                applicant_id_number=id_number,
                search_text=f" {fold(name)} {id_number}" + (f" {code.lower()}" if code else ""),
            )
        )
    made = Dossier.objects.bulk_create(copies)
    children: dict[type[Model], list[Model]] = {}
    originals: dict[int, dict[type[Model], list[Model]]] = {}
    for model in models:
        originals[model.pk] = {
            DossierEvent: list(model.events.all()),
            ProcessTask: list(model.tasks.all()),
            DossierFee: list(model.fees.all()),
            SupplementRequest: list(model.supplements.all()),
            DossierDocument: list(model.documents.all()),
            PortalSync: list(PortalSync.objects.filter(dossier=model)),
        }
    for row, (model, shift) in zip(made, plan, strict=True):
        for kind, rows in originals[model.pk].items():
            children.setdefault(kind, []).extend(
                _clone(original, shift=shift, dossier_id=row.pk)
                if kind is not DossierDocument
                else _clone(original, shift=shift, dossier_id=row.pk, uuid=uuid.uuid4())
                for original in rows
            )
    for kind, rows in children.items():
        kind.objects.bulk_create(rows, batch_size=500)


def _more_children(dossier: Dossier, count: int) -> None:
    """More scans, events and fee lines on the dossier a page is asked about."""
    if count <= 0:
        return
    document = dossier.documents.first()
    DossierDocument.objects.bulk_create(
        _clone(document, uuid=uuid.uuid4(), name=f"trang-{n}.pdf") for n in range(count)
    )
    last = dossier.events.order_by("-seq").first()
    DossierEvent.objects.bulk_create(
        _clone(last, seq=last.seq + 1 + n, action="note", note=f"Ghi chú {n}") for n in range(count)
    )
    finished = dossier.tasks.filter(finished_at__isnull=False).first()
    ProcessTask.objects.bulk_create(_clone(finished) for _ in range(count))
    DossierFee.objects.bulk_create(
        DossierFee(dossier=dossier, code=f"X{n}", name=f"Phí bản sao {n}", kind="fee", amount=8000)
        for n in range(count)
    )


def _appointments(people: dict[str, Any], count: int) -> Appointment:
    """Today's appointments at the Long Xuyên desk: one booked and marked arrived through
    the services (the ticket's), the rest copies in the day's slots."""
    booked = appointment_book(
        actor=None,
        desk_code=COMMUNE_CENTER,
        procedure_code=BIRTH_CODE,
        starts_at=NOW.replace(hour=10),
        person=Person(full_name=CITIZEN.name, phone=CITIZEN.phone, email=CITIZEN.email),
    )
    arrived = appointment_arrive(actor=people["desk"], appointment_uuid=booked.uuid)
    slots = [NOW.replace(hour=h, minute=m) for h in (10, 11, 13, 14, 15, 16) for m in (0, 30)]
    Appointment.objects.bulk_create(
        _clone(
            arrived,
            uuid=uuid.uuid4(),
            token=uuid.uuid4().hex,
            status="booked",
            queue_number=None,
            arrived_at=None,
            arrived_by_id=None,
            full_name=f"Người hẹn số {n}",
            phone=f"09{n:08d}",
            starts_at=slots[n % len(slots)],
            ends_at=slots[n % len(slots)] + datetime.timedelta(minutes=30),
        )
        for n in range(count)
    )
    return arrived


def _feedbacks(count: int) -> Feedback:
    """Feedback on the criminal record procedure, handled by the Justice department."""
    from django.contrib.auth.models import AnonymousUser

    sent = feedback_send(actor=AnonymousUser(), data=FEEDBACK)
    event = sent.events.first()
    FeedbackEvent.objects.bulk_create(
        _clone(event, note=f"Ghi chú {n}") for n in range(count // 100)
    )
    Feedback.objects.bulk_create(
        _clone(
            sent,
            reference=uuid.uuid4(),
            public_id=uuid.uuid4(),
            submission_token="",
            title=f"Phản ánh số {n}",
        )
        for n in range(count - 1)
    )
    return sent


def _notifications(officer: Any, count: int) -> None:
    StaffNotification.objects.bulk_create(
        StaffNotification(
            recipient=officer,
            title=f"Hồ sơ số {n} đã chuyển đến bạn",
            body="Bước Thẩm định hồ sơ.",
            link="/can-bo/",
            read_at=NOW if n % 3 else None,
        )
        for n in range(count)
    )


def _dead_letter() -> OutboxMessage:
    """The national portal refused a dossier's sync: a dead letter, through the delivery."""
    claimed = claim_due(worker="w1", now=NOW, limit=50)
    message = next(m for m in claimed if m.system == "dvcqg")
    attempt_settle(message_id=message.pk, worker="w1", attempt=REFUSED, now=NOW)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD, message.status
    return message


def _more_messages(count: int, dead: OutboxMessage) -> None:
    """The bus's history: messages delivered, waiting and dead, and the log's rows; one in a
    hundred of them the dead letter's tries and the messages waiting behind it."""
    statuses = [OutboxStatus.DELIVERED] * 7 + [OutboxStatus.PENDING] * 2 + [OutboxStatus.DEAD]
    messages = []
    for n in range(count):
        behind = n % 100 == 99
        status = OutboxStatus.PENDING if behind else statuses[n % len(statuses)]
        messages.append(
            OutboxMessage(
                system="dvcqg",
                topic="dvcqg.dossier.sync",
                ordering_key=dead.ordering_key if behind else f"dossier:{n}",
                idempotency_key=f"budget:{n}",
                payload={"MaHoSo": f"H01-{n}"},
                status=status,
                attempts=1,
                next_attempt_at=NOW,
                retry_from=NOW,
                last_error="HTTP 400" if status == OutboxStatus.DEAD else "",
                dead_at=NOW if status == OutboxStatus.DEAD else None,
                delivered_at=NOW if status == OutboxStatus.DELIVERED else None,
            )
        )
    OutboxMessage.objects.bulk_create(messages)
    head, _ = LogHead.objects.get_or_create(pk=1)
    rows = []
    prev = head.hash or GENESIS
    for n in range(count):
        row = MessageLog(
            seq=head.seq + 1 + n,
            at=NOW - datetime.timedelta(minutes=n % 50),
            direction="out",
            system="dvcqg",
            service="dvcqg.dossier.sync",
            party="motcua",
            outbox_id=dead.pk if n % 100 == 99 else None,
            request_digest="0" * 64,
            response_status=200,
            body_storage="digest",
            duration_ms=100 + n % 7,
            outcome="ok",
            prev_hash=prev,
        )
        row.hash = prev = entry_hash(prev, row.chained_content())
        rows.append(row)
    MessageLog.objects.bulk_create(rows)
    head.seq, head.hash = head.seq + count, prev
    head.save(update_fields=["seq", "hash"])
