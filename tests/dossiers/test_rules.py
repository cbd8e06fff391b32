"""Issue 9's rules of the engine, each with the test that would have caught it (DOMAIN §3,
§5, §10): lateness, supplement deadlines, who signs, the tracking book, what was received,
people's names, who decides a supplement, the version in force, intake regardless of
administrative boundary, step roles and conditions, shares, corrections, visibility, the
approval with its result, and the side doors."""

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.catalog.services import procedures_import
from egov.core.errors import NotAllowedError
from egov.dossiers.errors import DossierRuleError
from egov.dossiers.lifecycle import ACTIONS, Action, IllegalActionError, Status
from egov.dossiers.models import DoorFieldError, Dossier, DossierDocument, ProcessTask
from egov.dossiers.policies import can_view
from egov.dossiers.selectors import (
    WorklistFilters,
    actions_available,
    dossier_worklist,
    worklist_counts,
)
from egov.dossiers.services import (
    ResultFile,
    document_attach,
    dossier_approve,
    dossier_create,
    task_assign,
)
from egov.dossiers.services.supplements import supplements_lapse
from egov.orgs.services import agency_upsert
from tests.conftest import (
    BIRTH,
    CENTER,
    COMMUNE,
    COMMUNE_CENTER,
    JUSTICE,
    PASSWORD,
    POLICE,
    REFORM_DAY,
    catalogue,
)
from tests.dossiers.conftest import CITIZEN, VN, act, received_with_scans_and_an_original
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


def local(value: datetime.datetime | None) -> str:
    assert value is not None
    return value.astimezone(VN).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def citizen(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("congdan", password=PASSWORD)


def online(citizen: Any, procedure: str = "1.001193", **extra: Any) -> Dossier:
    return dossier_create(
        actor=citizen,
        procedure_code=procedure,
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
        **extra,
    )


def at_counter(actor: Any, procedure: str = "1.001193", **extra: Any) -> Dossier:
    """A dossier taken in at the actor's counter, received at once."""
    return dossier_create(
        actor=actor,
        procedure_code=procedure,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        **extra,
    )


def at_last_step(dossier: Dossier, people: dict[str, Any]) -> Dossier:
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    return dossier


# ------------------------------------------------------------------------- 1. late stays late


def test_a_late_dossier_signed_before_its_obligation_stays_late(counter_dossier, people, clock):
    dossier = at_last_step(counter_dossier, people)  # due Tue 17/11 08:00
    clock.set(2026, 11, 18, 9, 0)  # already a day late when the leader signs
    act(dossier, "request_obligation", people["leader"], note="Nộp phí", result_signed=True)
    clock.set(2026, 11, 20, 8, 0)  # paid on Friday
    act(dossier, "confirm_obligation", people["desk"])
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert local(dossier.original_due_at) == local(dossier.due_at) == "2026-11-17 08:00"
    assert dossier.outcome == "late"


def test_time_left_when_paying_began_is_given_back(counter_dossier, people, clock):
    dossier = at_last_step(counter_dossier, people)
    clock.set(2026, 11, 16, 16, 0)  # 2 working hours left
    act(dossier, "request_obligation", people["leader"], note="Nộp phí", result_signed=True)
    clock.set(2026, 11, 19, 8, 0)
    act(dossier, "confirm_obligation", people["desk"])
    dossier.refresh_from_db()
    assert local(dossier.original_due_at) == "2026-11-19 10:00"
    assert dossier.outcome == "on_time"


# ----------------------------------------------------------- 2. a supplement has its deadline


def test_a_supplement_asked_at_intake_ends_refused_never_a_500(
    client, citizen, procedures, people, clock
):
    dossier = online(citizen)
    act(dossier, "request_supplement", people["desk"], note="Thiếu giấy chứng sinh")
    supplement = dossier.supplements.get()
    # 15 working days from Monday 16/11 08:00 (24/11, Vietnamese Culture Day, is off):
    # Tuesday 08/12 08:00.
    assert local(supplement.deadline) == "2026-12-08 08:00"
    client.force_login(people["leader"])
    response = client.post(
        f"/api/v1/dossiers/{dossier.reference}/actions/stop",
        {"version": dossier.version + 1, "note": "Quá hạn"},
        content_type="application/json",
    )
    dossier.refresh_from_db()
    assert response.status_code in {404, 409, 422}
    with pytest.raises(IllegalActionError):  # before its deadline nobody ends it
        act(dossier, "refuse", people["desk"], note="Quá hạn")
    clock.set(2026, 12, 8, 8, 0)
    with pytest.raises(IllegalActionError):  # no code: never "stopped"
        act(dossier, "stop", people["leader"], note="Quá hạn")
    counts = supplements_lapse(now=clock.now)
    dossier.refresh_from_db()
    assert (counts.refused, counts.stopped) == (1, 0)
    assert dossier.status == Status.REFUSED and dossier.code is None
    assert dossier.events.last().actor_label == "Hệ thống"


def test_a_supplement_in_processing_stops_only_after_its_deadline(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "request_supplement", people["specialist"], note="Thiếu")
    with pytest.raises(IllegalActionError):
        act(dossier, "stop", people["leader"], note="Quá hạn")
    clock.set(2026, 12, 8, 8, 0)
    act(dossier, "stop", people["leader"], note="Quá hạn bổ sung")
    dossier.refresh_from_db()
    assert dossier.status == Status.STOPPED and dossier.status_code == 8
    assert not dossier.supplements.filter(completed_at__isnull=True, superseded=False).exists()


def test_the_daily_job_leaves_a_supplement_handed_in(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "request_supplement", people["specialist"], note="Thiếu")
    act(dossier, "submit_supplement", people["desk"])  # brought to the counter
    clock.set(2026, 12, 31, 8, 0)
    assert supplements_lapse(now=clock.now).stopped == 0
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_a_procedure_sets_its_own_supplement_deadline(citizen, procedures, people, clock):
    procedures_import(
        data=catalogue({**BIRTH, "supplement_time_limit": {"value": 5, "unit": "days"}})
    )
    dossier = online(citizen)
    act(dossier, "request_supplement", people["desk"], note="Thiếu")
    assert local(dossier.supplements.get().deadline) == "2026-11-23 17:00"  # Sat → Mon end


# -------------------------------------------------------- 3. the competent agency's leader


def test_a_partner_leader_forwards_or_sends_back_nothing_more(
    counter_dossier, people, staff, clock
):
    police_leader = staff("lanhdao.ca", POLICE, "leader")
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])  # now at the police's step
    dossier.refresh_from_db()
    offered = {rule.action for rule in actions_available(actor=police_leader, dossier=dossier)}
    assert offered == {Action.FORWARD, Action.SEND_BACK}
    for action, params in [
        ("stop", {}),
        ("request_obligation", {}),
        ("apologize", {"new_due_at": datetime.datetime(2026, 11, 20, 9, 0, tzinfo=VN)}),
    ]:
        with pytest.raises(NotAllowedError):
            act(dossier, action, police_leader, note="Lý do", **params)
    act(dossier, "send_back", police_leader, note="Thiếu thông tin nơi cư trú")
    dossier.refresh_from_db()
    assert dossier.tasks.get(finished_at__isnull=True).position == 2
    # The competent agency's leader may stop it.
    act(dossier, "stop", people["leader"], note="Không đủ điều kiện")


# --------------------------------------------------------------------- 4. the tracking book


def test_one_book_per_desk_per_year_numbered_continuously(procedures, people, clock):
    def receive() -> Dossier:
        return at_counter(people["desk"])

    first = receive()
    clock.set(2026, 11, 17, 8, 0)
    second = receive()
    assert first.code.endswith("-261116-0001") and second.code.endswith("-261117-0001")
    assert (first.book_number, second.book_number) == (1, 2)
    clock.set(2027, 1, 4, 8, 0)
    assert receive().book_number == 1  # a new year, a new book
    other_desk = at_counter(people["province_desk"], "2.001417")
    assert other_desk.book_number == 1  # each desk its own book


# ------------------------------------------------------------------ 5. what was received


def test_the_receipt_records_the_papers_taken_in(procedures, people, clock):
    dossier = received_with_scans_and_an_original(people["desk"])
    assert dossier.received_papers == [
        {
            "component": "TP01",
            "name": "Tờ khai đăng ký khai sinh",
            "copy_kind": "original",
            "quantity": 2,
            "received_as": "scan",
        },
        {
            "component": "TP02",
            "name": "Giấy chứng sinh",
            "copy_kind": "original",
            "quantity": 1,
            "received_as": "original_checked",
        },
    ]


def test_the_desk_may_list_the_papers_and_a_bad_list_changes_nothing(procedures, people, clock):
    def receive(papers: list[dict[str, Any]]) -> Dossier:
        return at_counter(people["desk"], papers=papers)

    declaration = {"component": "TP01", "copy_kind": "original", "quantity": 1}
    dossier = receive(
        [declaration, {"component": "TP02", "copy_kind": "certified_copy", "quantity": 1}]
    )
    assert dossier.received_papers == [
        {"component": "TP01", "name": "Tờ khai đăng ký khai sinh", **declaration},
        {
            "component": "TP02",
            "name": "Giấy chứng sinh",
            "copy_kind": "certified_copy",
            "quantity": 1,
        },
    ]
    birth_note = {"component": "TP02", "quantity": 1}
    for bad in (
        [birth_note],  # the declaration, mandatory, is not among what was taken in
        [declaration, birth_note, {"component": "XX99", "quantity": 1}],
        [declaration, {"component": "TP02", "quantity": 0}],
        [declaration, {"component": "TP02", "quantity": 10**9}],
        [declaration, {"component": "TP02", "copy_kind": "=cmd|' /C calc'!A0"}],
    ):
        with pytest.raises(DossierRuleError):
            receive(bad)
    assert Dossier.objects.count() == 1


# -------------------------------------------------------------------- 6. people, not logins


def test_the_event_log_names_the_officer_and_title(counter_dossier, people):
    desk = people["desk"]
    desk.first_name, desk.last_name = "Trần Văn Minh", ""  # the full name, as create_staff
    desk.save(update_fields=["first_name", "last_name"])
    for membership in desk.memberships.all():  # saved, as the staff admin does
        membership.title = "Công chức một cửa"
        membership.save(update_fields=["title"])
    act(counter_dossier, "transfer", desk)
    label = counter_dossier.events.last().actor_label
    assert label == "Trần Văn Minh, Công chức một cửa"
    assert "tiepnhan" not in label


# ------------------------------------------------------- 7. the desk decides completeness


def test_the_applicants_supplement_goes_back_to_the_officer_who_asked(
    citizen, procedures, people, staff, clock
):
    other = staff("chuyenvien2.xa", COMMUNE, "specialist")
    dossier = online(citizen)
    act(dossier, "receive", people["desk"])
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 10, 0)
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    clock.set(2026, 11, 18, 9, 0)
    with pytest.raises(NotAllowedError):  # the applicant cannot restart the clock alone
        act(dossier, "complete_supplement", citizen)
    act(dossier, "submit_supplement", citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.clock_state == "paused"
    counts = worklist_counts(actor=people["specialist"])
    mine = dossier_worklist(
        actor=people["specialist"], filters=WorklistFilters(tab="mine"), after=None, limit=10
    )
    assert dossier in mine and counts["mine"] >= 1
    with pytest.raises(NotAllowedError):  # not the officer who asked
        act(dossier, "complete_supplement", other)
    act(dossier, "request_supplement", people["specialist"], note="Bản sao chưa chứng thực")
    dossier.refresh_from_db()
    assert dossier.supplement_count == 2  # asked twice: counted late (QĐ 766)
    clock.set(2026, 11, 19, 9, 0)
    act(dossier, "submit_supplement", citizen)
    act(dossier, "complete_supplement", people["specialist"])
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert local(dossier.due_at) == "2026-11-20 09:00"  # the limit from zero, from acceptance


# ------------------------------------------------------- 8. the version in force at receipt


def test_the_version_in_force_at_receipt_governs_limit_and_fees(citizen, procedures, people, clock):
    dossier = online(citizen)
    assert dossier.procedure_revision.version == 1
    procedures_import(
        data=catalogue(
            {
                **BIRTH,
                "time_limit": {"value": 2, "unit": "working_days"},
                "fees": [
                    {
                        "code": "LP02",
                        "name": "Lệ phí mới",
                        "kind": "charge",
                        "amount": 8000,
                        "note": "",
                    }
                ],
            }
        )
    )
    act(dossier, "receive", people["desk"])
    dossier.refresh_from_db()
    assert dossier.procedure_revision.version == 2
    assert local(dossier.due_at) == "2026-11-18 08:00"  # two working days
    assert list(dossier.fees.values_list("code", "amount")) == [("LP02", 8000)]


# ------------------------------------------- 10. intake regardless of administrative boundary


def test_any_desk_receives_and_forwards_to_the_competent_body(procedures, people, staff, clock):
    # A commune procedure at the provincial center: the applicant's commune decides.
    at_province = at_counter(people["province_desk"])
    assert at_province.receiving_agency.code == CENTER
    assert at_province.competent_agency.code == COMMUNE
    act(at_province, "transfer", people["province_desk"])
    assert at_province.tasks.get(finished_at__isnull=True).agency.code == COMMUNE
    # A provincial procedure at a commune desk: the department decides.
    at_commune = at_counter(people["desk"], "2.001417")
    assert at_commune.receiving_agency.code == COMMUNE_CENTER
    assert at_commune.competent_agency.code == JUSTICE
    assert can_view(people["justice"], at_commune) and can_view(people["desk"], at_commune)
    # A commune procedure at another commune's desk: the applicant's commune decides.
    agency_upsert(
        code="000.07.50.H01",
        name="Ủy ban nhân dân phường Bình Đức",
        kind="commune_committee",
        parent_code="000.00.00.H01",
        province_code=91,
        ward_code=30316,
        valid_from=REFORM_DAY,
    )
    agency_upsert(
        code="001.07.50.H01",
        name="Trung tâm Phục vụ hành chính công phường Bình Đức",
        kind="commune_service_center",
        parent_code="000.07.50.H01",
        province_code=91,
        ward_code=30316,
        valid_from=REFORM_DAY,
    )
    other_desk = staff("tiepnhan.binhduc", "001.07.50.H01", "reception")
    elsewhere = at_counter(other_desk)  # the applicant lives in ward 30307, Long Xuyên
    assert elsewhere.receiving_agency.code == "001.07.50.H01"
    assert elsewhere.competent_agency.code == COMMUNE


# ---------------------------------------------- 11. steps obey their roles and conditions

SIGN_THEN_REGISTER = {
    **BIRTH,
    "national_code": "1.000002",
    "steps": [
        *BIRTH["steps"][:2],
        {"name": "Chủ tịch ký", "agency_kind": "commune_committee", "role": "leader", "hours": 1},
        {
            "name": "Đăng ký thường trú (liên thông)",
            "agency": POLICE,
            "role": "specialist",
            "hours": 1.5,
            "when": "register_residence",
        },
    ],
    "form_schema": {
        "fields": [
            {
                "name": "register_residence",
                "label": "Đăng ký thường trú",
                "type": "checkbox",
                "required": False,
            }
        ]
    },
}


def _signing(people: dict[str, Any], *, residence: bool) -> Dossier:
    procedures_import(data=catalogue(SIGN_THEN_REGISTER))
    dossier = at_counter(people["desk"], "1.000002", form_data={"register_residence": residence})
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    return dossier


def test_nobody_passes_the_signing_step_but_its_leader(procedures, people, clock):
    dossier = _signing(people, residence=True)
    dossier.refresh_from_db()
    with pytest.raises((IllegalActionError, NotAllowedError)):
        act(dossier, "forward", people["specialist"])
    offered = {rule.action for rule in actions_available(actor=people["leader"], dossier=dossier)}
    assert Action.APPROVE in offered and Action.FORWARD not in offered
    mine = {rule.action for rule in actions_available(actor=people["specialist"], dossier=dossier)}
    assert not mine & {Action.FORWARD, Action.APPROVE, Action.SEND_BACK}
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.result_signed
    assert dossier.tasks.get(finished_at__isnull=True).agency.code == POLICE
    act(dossier, "forward", people["police"])
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY


def test_after_the_signing_nobody_sends_the_dossier_back_to_be_signed_again(
    procedures, people, staff, clock
):
    police_leader = staff("lanhdao.ca", POLICE, "leader")
    dossier = _signing(people, residence=True)
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    offered = {rule.action for rule in actions_available(actor=people["police"], dossier=dossier)}
    assert offered == {Action.FORWARD}  # no supplement asked once the result is signed
    with pytest.raises(IllegalActionError):
        act(dossier, "stop", people["leader"], note="Đổi ý")
    with pytest.raises(IllegalActionError):
        act(dossier, "send_back", police_leader, note="Sai thông tin")
    # The police's own leader gives the police's step to an officer of theirs.
    second = staff("congan2", POLICE, "specialist")
    dossier.refresh_from_db()
    task_assign(
        actor=police_leader, key=dossier.code, version=dossier.version, assignee_username="congan2"
    )
    assert dossier.tasks.get(finished_at__isnull=True).assignee == second


def test_a_conditional_step_runs_only_when_its_box_is_ticked(procedures, people, clock):
    dossier = _signing(people, residence=False)
    act(dossier, "approve", people["leader"])
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert not dossier.tasks.filter(agency__code=POLICE).exists()


def test_each_step_falls_due_after_the_one_before(counter_dossier, people, clock):
    dossier = counter_dossier
    # The desk's hour (due 09:00) was done at once: step 2 (4 h) counts from 09:00.
    act(dossier, "transfer", people["desk"])
    clock.set(2026, 11, 16, 8, 30)
    act(dossier, "forward", people["specialist"])  # done early, well before 15:00
    tasks = list(dossier.tasks.order_by("position"))
    assert local(tasks[1].due_at) == "2026-11-16 15:00"
    assert local(tasks[2].due_at) == "2026-11-16 16:30"  # after step 2's due time, not 10:00
    assert tasks[0].due_at < tasks[1].due_at < tasks[2].due_at


def test_an_open_step_waits_for_someone_or_in_the_unassigned_queue(
    counter_dossier, people, staff, clock
):
    act(counter_dossier, "transfer", people["desk"])
    step = counter_dossier.tasks.get(finished_at__isnull=True)
    assert step.assignee == people["specialist"]  # the agency's one specialist
    assert worklist_counts(actor=people["specialist"])["mine"] == 1
    staff("chuyenvien2.xa", COMMUNE, "specialist")
    second = at_counter(people["desk"])
    act(second, "transfer", people["desk"])
    assert second.tasks.get(finished_at__isnull=True).assignee is None
    counts = worklist_counts(actor=people["specialist"])
    assert counts["mine"] == 1 and counts["unassigned"] == 1


# ----------------------------------------------------------------------------- 12. smaller


def test_send_back_keeps_the_steps_remaining_share(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])  # step 2 (4 h) opens at 08:00
    clock.set(2026, 11, 16, 11, 0)  # 3 h spent
    act(dossier, "forward", people["specialist"])
    clock.set(2026, 11, 16, 13, 30)
    act(dossier, "send_back", people["police"], note="Thiếu thông tin")
    reopened = dossier.tasks.get(finished_at__isnull=True)
    assert reopened.position == 2
    assert local(reopened.due_at) == "2026-11-16 14:30"  # the 1 h that was left
    assert reopened.assignee == people["specialist"]  # back to who held it


def test_national_status_codes_three_to_eight(citizen, procedures, people, clock):
    refused = online(citizen)
    act(refused, "refuse", people["desk"], note="Không thuộc thẩm quyền")
    withdrawn = online(citizen)
    act(withdrawn, "withdraw", citizen)
    moving = online(citizen)
    act(moving, "receive", people["desk"])
    act(moving, "transfer", people["desk"])
    codes = {}
    for dossier in (refused, withdrawn, moving):
        dossier.refresh_from_db()
        codes[dossier.status] = dossier.status_code
    act(moving, "request_supplement", people["specialist"], note="Thiếu")
    moving.refresh_from_db()
    codes[moving.status] = moving.status_code
    act(moving, "submit_supplement", citizen)
    act(moving, "complete_supplement", people["specialist"])
    act(moving, "request_obligation", people["leader"], note="Nộp phí")
    moving.refresh_from_db()
    codes[moving.status] = moving.status_code
    act(moving, "confirm_obligation", people["desk"])
    act(moving, "stop", people["leader"], note="Không đủ điều kiện")
    moving.refresh_from_db()
    codes[moving.status] = moving.status_code
    assert codes == {
        "refused": 3,
        "processing": 4,
        "supplement_requested": 5,
        "awaiting_obligation": 6,
        "withdrawn": 7,
        "stopped": 8,
    }


def test_a_correction_is_a_new_dossier_linked_to_the_first(counter_dossier, people, clock):
    dossier = at_last_step(counter_dossier, people)
    with pytest.raises(DossierRuleError):  # no result yet to correct
        at_counter(people["desk"], corrects=dossier.code)
    act(dossier, "approve", people["leader"])
    correction = at_counter(people["desk"], corrects=dossier.code)
    assert correction.corrects == dossier and correction.code != dossier.code
    assert list(dossier.corrections.all()) == [correction]
    with pytest.raises(DossierRuleError):  # another procedure, and not that desk's to see
        at_counter(people["province_desk"], "2.001417", corrects=dossier.code)


# ----------------------------------------------------------- 14. one source for who sees


def test_lists_and_single_checks_agree_for_everyone(
    citizen, procedures, people, clock, django_user_model, staff
):
    online(citizen)
    counter = at_counter(people["province_desk"], "2.001417")
    act(counter, "transfer", people["province_desk"])
    nobody = django_user_model.objects.create_user("khach", password=PASSWORD)
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    lapsed = staff("cu.xa", COMMUNE, "specialist")
    lapsed.memberships.update(active=False)
    # A citizen who applied online and later joined the police still follows their dossier.
    joined = django_user_model.objects.create_user("congdan2", password=PASSWORD)
    own = online(joined)
    staff("congdan2", POLICE, "specialist")
    everyone = [*people.values(), citizen, nobody, admin, lapsed, joined]
    for person in everyone:
        listed = set(
            dossier_worklist(actor=person, filters=WorklistFilters(), after=None, limit=100)
        )
        single = {d for d in Dossier.objects.all() if can_view(person, d)}
        assert listed == single, person.username
    assert not set(dossier_worklist(actor=lapsed, filters=WorklistFilters(), after=None, limit=9))
    assert own in dossier_worklist(actor=joined, filters=WorklistFilters(), after=None, limit=9)


# ------------------------------------------------- 15. approve with its result, one call


def test_a_refused_approval_leaves_no_result_behind(counter_dossier, people, clock):
    dossier = at_last_step(counter_dossier, people)
    dossier.refresh_from_db()
    with pytest.raises(NotAllowedError):
        dossier_approve(
            actor=people["police"],
            key=dossier.code,
            version=dossier.version,
            result=ResultFile(stream=io.BytesIO(PDF), name="kq.pdf", size=len(PDF)),
        )
    assert not DossierDocument.objects.filter(dossier=dossier).exists()
    approved = dossier_approve(
        actor=people["leader"],
        key=dossier.code,
        version=dossier.version,
        result=ResultFile(stream=io.BytesIO(PDF), name="kq.pdf", size=len(PDF)),
    )
    assert approved.status == Status.RESULT_READY
    assert DossierDocument.objects.get(dossier=dossier).is_result


def test_the_api_approves_with_the_signed_result(client, counter_dossier, people, clock):
    dossier = at_last_step(counter_dossier, people)
    dossier.refresh_from_db()
    client.force_login(people["leader"])
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/approve",
        {"version": dossier.version, "result": SimpleUploadedFile("kq.pdf", PDF)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "result_ready"
    assert dossier.documents.get().is_result


# ------------------------------------------------------------------ 16. no side doors


def test_bulk_writes_cannot_change_what_only_the_door_changes(counter_dossier):
    rows = Dossier.objects.filter(pk=counter_dossier.pk)
    for change in ({"status": "returned"}, {"version": 99}, {"event_head": "x"}):
        with pytest.raises(DoorFieldError):
            rows.update(**change)
    counter_dossier.status = "returned"
    with pytest.raises(DoorFieldError):
        Dossier.objects.bulk_update([counter_dossier], ["status"])
    assert rows.update(due_soon=True) == 1  # derived flags stay set-based
    counter_dossier.refresh_from_db()
    assert counter_dossier.status == Status.RECEIVED


def test_one_vocabulary_of_actions(counter_dossier, people):
    assert set(ACTIONS) == set(Action)
    for action, text in ACTIONS.items():
        assert text.label and text.log and text.confirm.endswith("?"), action
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    # What the vocabulary says needs a reason, the engine refuses without one.
    with pytest.raises(DossierRuleError, match="lý do"):
        act(counter_dossier, "send_back", people["police"])
    assert ACTIONS[Action.SEND_BACK].needs_note and not ACTIONS[Action.FORWARD].needs_note


def test_helpers_that_need_the_callers_lock_are_private():
    import egov.dossiers.services as services
    from egov.dossiers.services import documents, door, intake

    for module in (services, door, documents, intake):
        for name in ("perform_locked", "write_event", "create_dossier", "record_document"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_steps_are_closed_once(counter_dossier, people):
    act(counter_dossier, "transfer", people["desk"])
    assert ProcessTask.objects.filter(dossier=counter_dossier, finished_at=None).count() == 1


# ------------------------------------------------------------------ found in review


def test_a_component_the_catalogue_renamed_does_not_block_the_receipt(
    citizen, procedures, people, clock
):
    dossier = online(citizen)
    document_attach(
        actor=citizen,
        key=str(dossier.reference),
        stream=io.BytesIO(PDF),
        name="cs.pdf",
        size=len(PDF),
        component="TP02",
    )
    renamed = [
        BIRTH["documents"][0],
        {**BIRTH["documents"][1], "code": "TP03", "name": "Giấy chứng sinh (mẫu mới)"},
    ]
    procedures_import(data=catalogue({**BIRTH, "documents": renamed}))
    act(dossier, "receive", people["desk"])
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.received_papers == [
        {"component": "", "name": "Giấy chứng sinh", "copy_kind": "original", "quantity": 1}
    ]


def test_the_applicant_hears_when_the_result_is_ready_not_before(procedures, people, clock):
    from egov.interop.models import OutboxMessage

    dossier = _signing(people, residence=True)
    act(dossier, "approve", people["leader"])
    act(dossier, "forward", people["police"])
    told = [
        message.payload["template"].rsplit("/", 1)[-1]
        for message in OutboxMessage.objects.filter(topic="notify.applicant").order_by("pk")
    ]
    assert told == ["received", "result_ready"]


def test_my_work_leaves_out_what_waits_for_the_applicant(counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    assert worklist_counts(actor=people["specialist"])["mine"] == 1
    act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu")
    assert worklist_counts(actor=people["specialist"])["mine"] == 0
    act(counter_dossier, "submit_supplement", people["desk"])  # handed in: the asker's again
    assert worklist_counts(actor=people["specialist"])["mine"] == 1


def test_dossiers_from_before_the_upgrade_get_their_deadline_and_book_row(
    citizen, procedures, people, clock
):
    from importlib import import_module

    from django.apps import apps

    from egov.dossiers.models import BookCounter, SupplementRequest

    backfill = import_module(
        "egov.dossiers.migrations.0004_backfill_supplement_deadlines_and_book_numbers"
    )
    clock.set(2026, 11, 16, 8, 0)
    first, second = at_counter(people["desk"]), at_counter(people["desk"])
    act(first, "transfer", people["desk"])
    act(first, "request_supplement", people["specialist"], note="Thiếu")
    # As the rows stood before migration 0003 gave them a deadline and a book row.
    SupplementRequest.objects.update(deadline=None)
    Dossier.objects.update(book_number=None)
    BookCounter.objects.all().delete()
    backfill.forwards(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert local(first.supplements.get().deadline) == "2026-12-08 08:00"
    assert (first.book_number, second.book_number) == (1, 2)
    assert at_counter(people["desk"]).book_number == 3  # the book goes on


def test_at_intake_only_the_desk_asks_again(citizen, procedures, people, clock):
    dossier = online(citizen)
    act(dossier, "request_supplement", people["desk"], note="Thiếu tờ khai")
    with pytest.raises(NotAllowedError):  # the competent agency's specialist: not theirs
        act(dossier, "request_supplement", people["specialist"], note="Thiếu nữa")
    act(dossier, "request_supplement", people["desk"], note="Tờ khai chưa ký")
    assert dossier.supplements.filter(superseded=False).count() == 1


def test_a_partner_leader_may_give_their_step(counter_dossier, people, staff, clock):
    from egov.dossiers.policies import can_assign

    police_leader = staff("lanhdao.ca", POLICE, "leader")
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    step = counter_dossier.tasks.get(finished_at__isnull=True)
    assert can_assign(police_leader, counter_dossier, step)
    assert not can_assign(people["specialist"], counter_dossier, step)
