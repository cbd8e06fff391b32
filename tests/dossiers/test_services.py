"""The one door at work: intake, the process, the clock, who may act, and the event log."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.core.errors import NotAllowedError
from egov.dossiers.errors import DossierNotFoundError, DossierRuleError, StaleVersionError
from egov.dossiers.lifecycle import IllegalActionError
from egov.dossiers.models import Apology, Dossier, DossierEvent, ProcessTask
from egov.dossiers.services import Applicant, dossier_create, dossier_perform
from egov.interop.models import OutboxMessage
from tests.dossiers.conftest import CITIZEN, VN, act

pytestmark = pytest.mark.django_db


def local(value: datetime.datetime) -> str:
    return value.astimezone(VN).strftime("%Y-%m-%d %H:%M")


def test_counter_dossier_is_received_at_once(counter_dossier):
    dossier = counter_dossier
    assert dossier.status == "received" and dossier.status_code == 2
    assert dossier.code == "001.03.50.H01-261116-0001"
    assert local(dossier.received_at) == "2026-11-16 08:00"
    assert local(dossier.due_at) == "2026-11-17 08:00"  # 1 working day
    assert dossier.competent_agency.code == "000.03.50.H01"
    task = dossier.tasks.get()
    assert (task.position, task.agency.code, task.finished_at) == (1, "001.03.50.H01", None)
    assert list(dossier.events.values_list("action", flat=True)) == ["submit", "receive"]
    assert [f.amount for f in dossier.fees.all()] == [0]
    # The national portal hears of every step: the submission and the receipt, in the one
    # message that carries the code.
    (sync,) = OutboxMessage.objects.filter(topic="dvcqg.dossier.sync")
    assert sync.payload["MaHoSo"] == dossier.code
    assert [s["TrangThai"] for s in sync.payload["QuaTrinhXuLy"]] == [1, 2]
    assert OutboxMessage.objects.filter(topic="notify.applicant").count() == 1


def test_codes_count_up_per_desk_and_day(counter_dossier, people, clock):
    second = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    clock.set(2026, 11, 17, 9, 0)
    next_day = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    assert second.code == "001.03.50.H01-261116-0002"
    assert next_day.code == "001.03.50.H01-261117-0001"


def test_a_whole_life_from_counter_to_return(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])  # to the police (liên thông)
    dossier.refresh_from_db()
    assert dossier.tasks.get(finished_at__isnull=True).agency.code == "000.00.13.H01"
    act(dossier, "forward", people["police"])  # back to the leader to sign
    clock.set(2026, 11, 16, 14, 0)
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"
    assert dossier.outcome == "early"  # decided on the day of receipt
    assert not dossier.tasks.filter(finished_at__isnull=True).exists()
    with pytest.raises(DossierRuleError, match="người nhận"):
        act(dossier, "return_result", people["desk"])
    act(
        dossier,
        "return_result",
        people["desk"],
        recipient_name="Nguyễn Thị Ánh Tuyết",
        recipient_id_number="089301000123",
    )
    dossier.refresh_from_db()
    assert dossier.status == "returned" and dossier.status_code == 10
    actions = list(dossier.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "receive",
        "transfer",
        "forward",
        "forward",
        "approve",
        "return_result",
    ]
    assert [t.position for t in dossier.tasks.order_by("started_at", "pk")] == [1, 2, 3, 4]


def test_online_dossier_waits_with_a_reference_then_gets_its_code(
    procedures, people, clock, django_user_model
):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    dossier = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code="001.03.50.H01",
    )
    assert dossier.status == "submitted" and dossier.code is None
    assert dossier.owner == citizen
    dossier_perform(
        key=str(dossier.reference), action="receive", actor=people["desk"], version=dossier.version
    )
    dossier.refresh_from_db()
    assert dossier.code == "001.03.50.H01-261116-0001"


def test_stale_version_is_refused_and_changes_nothing(counter_dossier, people):
    with pytest.raises(StaleVersionError):
        dossier_perform(
            key=counter_dossier.code,
            action="transfer",
            actor=people["desk"],
            version=counter_dossier.version - 1,
        )
    counter_dossier.refresh_from_db()
    assert counter_dossier.status == "received"
    assert counter_dossier.events.count() == 2


def test_who_may_act(counter_dossier, people):
    with pytest.raises(NotAllowedError):
        act(counter_dossier, "transfer", people["specialist"])  # the desk's action
    with pytest.raises(IllegalActionError):
        act(counter_dossier, "return_result", people["desk"])  # not decided yet
    with pytest.raises(DossierNotFoundError):  # another agency's dossier: not even seen
        act(counter_dossier, "transfer", people["justice"])
    with pytest.raises(NotAllowedError):  # the auditor sees everything and changes nothing
        act(counter_dossier, "transfer", people["auditor"])


def test_supplement_during_processing_restarts_the_limit(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 10, 0)
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    dossier.refresh_from_db()
    assert dossier.status == "supplement_requested" and dossier.clock_state == "paused"
    clock.set(2026, 11, 18, 9, 30)
    act(dossier, "complete_supplement", people["specialist"])  # the officer who asked
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert local(dossier.due_at) == "2026-11-19 09:30"  # a full working day from the supplement
    assert dossier.supplement_count == 1


def test_supplement_after_three_working_days_is_refused(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    clock.set(2026, 11, 19, 9, 0)  # Thursday: 3 working days and an hour after receipt
    with pytest.raises(DossierRuleError, match="03 ngày làm việc"):
        act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu giấy")


def test_reasons_are_required(counter_dossier, people):
    act(counter_dossier, "transfer", people["desk"])
    with pytest.raises(DossierRuleError, match="Mẫu 02"):
        act(counter_dossier, "request_supplement", people["specialist"])


def test_obligation_pauses_and_resumes_with_what_was_left(procedures, people, clock):
    dossier = dossier_create(
        actor=people["province_desk"],
        procedure_code="2.001417",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    assert local(dossier.due_at) == "2026-12-01 08:00"  # 10 working days; 24/11 is off
    act(dossier, "transfer", people["province_desk"])
    clock.set(2026, 11, 17, 8, 0)
    act(
        dossier,
        "request_obligation",
        people["justice_leader"],  # the competent agency's leader, at the police's step
        note="Nộp phí cung cấp thông tin lý lịch tư pháp",
    )
    dossier.refresh_from_db()
    assert dossier.clock_state == "paused" and dossier.clock_remaining_minutes == 9 * 8 * 60
    clock.set(2026, 11, 20, 8, 0)
    act(dossier, "confirm_obligation", people["province_desk"])
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert local(dossier.due_at) == "2026-12-04 08:00"  # the 9 days left, from Friday


def test_apology_once_with_new_due_and_original_kept(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    new_due = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN)
    act(dossier, "apologize", people["leader"], note="Chờ xác minh", new_due_at=new_due)
    dossier.refresh_from_db()
    assert dossier.due_at == new_due
    assert local(dossier.original_due_at) == "2026-11-17 08:00"
    apology = Apology.objects.get(dossier=dossier)
    assert apology.late_notice is False  # a whole working day ahead
    with pytest.raises(DossierRuleError, match="một lần"):
        act(
            dossier,
            "apologize",
            people["leader"],
            note="Lần nữa",
            new_due_at=new_due + datetime.timedelta(days=3),
        )


def test_late_dossier_is_late_against_the_original_due(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 16, 30)  # less than a working day before the due time
    new_due = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN)
    act(dossier, "apologize", people["leader"], note="Chờ xác minh", new_due_at=new_due)
    assert Apology.objects.get(dossier=dossier).late_notice is True
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    clock.set(2026, 11, 19, 10, 0)
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    assert dossier.outcome == "late"


def test_refusal_at_intake_and_withdrawal(procedures, people, clock, django_user_model):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    dossier = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code="001.03.50.H01",
    )
    with pytest.raises(NotAllowedError):
        act(dossier, "refuse", citizen, note="Không")
    act(dossier, "withdraw", citizen)
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn" and dossier.code is None


def test_bad_applicant_is_refused_with_fields(procedures, people):
    wrong = Applicant(**{**CITIZEN.__dict__, "id_number": "089201000123"})  # a man's digit
    with pytest.raises(DossierRuleError) as caught:
        dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=wrong,
            return_method="counter",
        )
    assert "applicant.id_number" in caught.value.fields
    assert not Dossier.objects.exists()


def test_channel_rules(procedures, people):
    with pytest.raises(DossierRuleError, match="bưu chính"):
        dossier_create(
            actor=people["province_desk"],
            procedure_code="2.001417",
            channel="postal",
            applicant=CITIZEN,
            return_method="counter",
        )
    with pytest.raises(NotAllowedError):  # a specialist is not a desk
        dossier_create(
            actor=people["specialist"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
            agency_code="001.03.50.H01",
        )


def test_event_chain_is_verified_and_tampering_is_found(counter_dossier, people):
    act(counter_dossier, "transfer", people["desk"])
    out = StringIO()
    call_command("verify_events", stdout=out)
    assert "toàn vẹn" in out.getvalue()
    DossierEvent.objects.filter(dossier=counter_dossier, seq=2).update(note="sửa lén")
    err = StringIO()
    with pytest.raises(CommandError, match="1 trong 1 hồ sơ"):
        call_command("verify_events", stderr=err)
    assert f"{counter_dossier.code}: sự kiện thứ 2" in err.getvalue()


def test_one_open_task_at_a_time(counter_dossier, people):
    act(counter_dossier, "transfer", people["desk"])
    assert (
        ProcessTask.objects.filter(dossier=counter_dossier, finished_at__isnull=True).count() == 1
    )


def test_waiting_to_pay_is_not_the_agencys_time(counter_dossier, people, clock):
    dossier = counter_dossier  # due Tue 17/11 08:00
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 9, 0)
    act(dossier, "request_obligation", people["leader"], note="Nộp lệ phí")
    clock.set(2026, 11, 20, 8, 0)  # paid four days later
    act(dossier, "confirm_obligation", people["desk"])
    dossier.refresh_from_db()
    # 7 working hours were left at 09:00 Monday: from 08:00 Friday they end at 17:00.
    assert local(dossier.due_at) == local(dossier.original_due_at) == "2026-11-20 17:00"
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    clock.set(2026, 11, 20, 9, 0)
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    assert dossier.outcome == "on_time"
    assert "late" not in set(dossier.tasks.values_list("outcome", flat=True))


def test_an_intake_supplement_is_not_counted_against_the_agency(
    procedures, people, clock, django_user_model
):
    citizen = django_user_model.objects.create_user("congdan", password="x")
    dossier = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code="001.03.50.H01",
    )
    act(dossier, "request_supplement", people["desk"], note="Thiếu tờ khai")
    act(dossier, "complete_supplement", people["desk"])
    act(dossier, "transfer", people["desk"])
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    act(dossier, "complete_supplement", people["specialist"])
    dossier.refresh_from_db()
    assert dossier.supplement_count == 1


def test_a_log_cut_short_is_found(counter_dossier, people):
    act(counter_dossier, "transfer", people["desk"])
    DossierEvent.objects.filter(dossier=counter_dossier, seq=3).delete()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", stderr=err)
    assert "cắt ngắn" in err.getvalue()


def test_a_supplement_that_never_came_is_not_the_agencys_delay(counter_dossier, people, clock):
    dossier = counter_dossier  # due Tue 17/11 08:00
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 10, 0)
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    clock.set(2026, 12, 16, 10, 0)  # a month later, nothing came
    act(dossier, "stop", people["leader"], note="Quá hạn bổ sung")
    dossier.refresh_from_db()
    assert dossier.status == "stopped" and dossier.outcome == "early"  # as of the pause


def test_a_clerk_works_a_clerks_step(procedures, people, clock, staff):
    from egov.catalog.services import procedures_import
    from tests.conftest import BIRTH, catalogue

    stamped = {
        **BIRTH,
        "national_code": "1.000002",
        "steps": [
            {
                "name": "Tiếp nhận",
                "agency_kind": "commune_service_center",
                "role": "reception",
                "hours": 1,
            },
            {
                "name": "Đóng dấu, phát hành",
                "agency_kind": "commune_committee",
                "role": "clerk",
                "hours": 1,
            },
            {"name": "Ký", "agency_kind": "commune_committee", "role": "leader", "hours": 1},
        ],
    }
    procedures_import(data=catalogue(stamped))
    clerk = staff("vanthu.xa", "000.03.50.H01", "clerk")
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.000002",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", clerk)
    dossier.refresh_from_db()
    assert dossier.tasks.get(finished_at__isnull=True).position == 3
