"""Every transition of the lifecycle taken through the one door, and random walks through it.

The random walks (hypothesis) try any action by any person at any time: whatever happens,
the dossier stays in a defined state, the event chain stays valid, and pausing for an
obligation neither loses nor gains working time.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.core.errors import DomainError
from egov.core.hashchain import verify
from egov.dossiers.lifecycle import FINAL, Status
from egov.dossiers.models import ClockState
from egov.dossiers.services import dossier_create
from egov.orgs.selectors import working_calendar
from tests.dossiers.conftest import CITIZEN, VN, act

pytestmark = pytest.mark.django_db


def online(people: dict[str, Any], citizen: Any) -> Any:
    return dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code="001.03.50.H01",
    )


def counter(people: dict[str, Any], procedure: str = "1.001193") -> Any:
    desk = people["desk"] if procedure == "1.001193" else people["province_desk"]
    return dossier_create(
        actor=desk,
        procedure_code=procedure,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def processing(people: dict[str, Any]) -> Any:
    dossier = counter(people)
    act(dossier, "transfer", people["desk"])
    return dossier


def at_last_step(people: dict[str, Any]) -> Any:
    dossier = processing(people)
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    return dossier


# (from, action, to) → how to get a dossier there, and who takes the action with what.
Setup = Callable[[dict[str, Any], Any, Any], Any]
WALKS: list[tuple[str, str, str, Setup, str, dict[str, Any]]] = [
    ("submitted", "receive", "received", lambda p, c, k: online(p, c), "desk", {}),
    ("submitted", "refuse", "refused", lambda p, c, k: online(p, c), "desk", {"note": "Sai"}),
    (
        "submitted",
        "request_supplement",
        "supplement_requested",
        lambda p, c, k: online(p, c),
        "desk",
        {"note": "Thiếu"},
    ),
    ("submitted", "withdraw", "withdrawn", lambda p, c, k: online(p, c), "citizen", {}),
    ("received", "transfer", "processing", lambda p, c, k: counter(p), "desk", {}),
    ("received", "withdraw", "withdrawn", lambda p, c, k: counter(p), "desk", {}),
    ("processing", "forward", "processing", lambda p, c, k: processing(p), "specialist", {}),
    (
        "processing",
        "request_supplement",
        "supplement_requested",
        lambda p, c, k: processing(p),
        "specialist",
        {"note": "Thiếu"},
    ),
    (
        "processing",
        "request_obligation",
        "awaiting_obligation",
        lambda p, c, k: processing(p),
        "leader",
        {"note": "Nộp phí"},
    ),
    ("processing", "stop", "stopped", lambda p, c, k: processing(p), "leader", {"note": "Dừng"}),
    ("processing", "approve", "result_ready", lambda p, c, k: at_last_step(p), "leader", {}),
    ("processing", "withdraw", "withdrawn", lambda p, c, k: processing(p), "desk", {}),
    ("result_ready", "return_result", "returned", None, "desk", {}),  # set below
]


def result_ready(people: dict[str, Any], citizen: Any, clock: Any = None) -> Any:
    dossier = at_last_step(people)
    act(dossier, "approve", people["leader"])
    return dossier


def sent_back(people: dict[str, Any], citizen: Any, clock: Any = None) -> Any:
    dossier = processing(people)
    act(dossier, "forward", people["specialist"])  # now at step 3 (the police)
    return dossier


def intake_supplement(people: dict[str, Any], citizen: Any, clock: Any = None) -> Any:
    dossier = online(people, citizen)
    act(dossier, "request_supplement", people["desk"], note="Thiếu tờ khai")
    return dossier


def processing_supplement(people: dict[str, Any], citizen: Any, clock: Any = None) -> Any:
    dossier = processing(people)
    act(dossier, "request_supplement", people["specialist"], note="Thiếu")
    return dossier


def obligation(signed: bool) -> Setup:
    def setup(people: dict[str, Any], citizen: Any, clock: Any) -> Any:
        dossier = at_last_step(people) if signed else processing(people)
        # Only the competent agency's leader asks for the obligation.
        act(dossier, "request_obligation", people["leader"], note="Nộp thuế", result_signed=signed)
        return dossier

    return setup


def lapsed(setup: Setup) -> Setup:
    """A supplement request whose deadline (15 working days by default) has passed."""

    def later(people: dict[str, Any], citizen: Any, clock: Any) -> Any:
        dossier = setup(people, citizen, clock)
        clock.set(2026, 12, 31, 9, 0)
        return dossier

    return later


SIGNED_THEN_REGISTERED = "1.000002"


def at_signing_step(people: dict[str, Any], citizen: Any, clock: Any) -> Any:
    """A procedure whose leader signs before an inter-agency registration (the police's
    permanent-residence registration, asked for on the e-form)."""
    from egov.catalog.services import procedures_import
    from tests.conftest import BIRTH, POLICE, catalogue

    procedures_import(
        data=catalogue(
            {
                **BIRTH,
                "national_code": SIGNED_THEN_REGISTERED,
                "steps": [
                    *BIRTH["steps"][:2],
                    {
                        "name": "Ký",
                        "agency_kind": "commune_committee",
                        "role": "leader",
                        "hours": 1,
                    },
                    {
                        "name": "Đăng ký thường trú",
                        "agency": POLICE,
                        "role": "specialist",
                        "hours": 1,
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
        )
    )
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code=SIGNED_THEN_REGISTERED,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        form_data={"register_residence": True},
    )
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    return dossier


def signed_before_registration(people: dict[str, Any], citizen: Any, clock: Any) -> Any:
    dossier = at_signing_step(people, citizen, clock)
    act(dossier, "approve", people["leader"])
    return dossier


WALKS[-1] = (
    "result_ready",
    "return_result",
    "returned",
    result_ready,
    "desk",
    {"recipient_name": "Nguyễn Thị Ánh Tuyết", "recipient_id_number": "089301000123"},
)
WALKS += [
    ("processing", "send_back", "processing", sent_back, "police", {"note": "Thiếu chữ ký"}),
    (
        "processing",
        "apologize",
        "processing",
        lambda p, c, k: processing(p),
        "leader",
        {"note": "Chờ xác minh", "new_due_at": datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN)},
    ),
    (
        "received",
        "apologize",
        "received",
        lambda p, c, k: counter(p),
        "leader",
        {"note": "Chờ", "new_due_at": datetime.datetime(2026, 11, 20, 9, 0, tzinfo=VN)},
    ),
    ("supplement_requested", "complete_supplement", "received", intake_supplement, "desk", {}),
    # In processing the officer who asked accepts the supplement.
    (
        "supplement_requested",
        "complete_supplement",
        "processing",
        processing_supplement,
        "specialist",
        {},
    ),
    (
        "supplement_requested",
        "submit_supplement",
        "supplement_requested",
        processing_supplement,
        "desk",
        {},
    ),
    (
        "supplement_requested",
        "request_supplement",
        "supplement_requested",
        processing_supplement,
        "specialist",
        {"note": "Bản sao chưa chứng thực"},
    ),
    ("supplement_requested", "withdraw", "withdrawn", processing_supplement, "desk", {}),
    (
        "supplement_requested",
        "stop",
        "stopped",
        lapsed(processing_supplement),
        "leader",
        {"note": "Quá hạn bổ sung"},
    ),
    (
        "supplement_requested",
        "refuse",
        "refused",
        lapsed(intake_supplement),
        "desk",
        {"note": "Quá hạn bổ sung"},
    ),
    ("processing", "approve", "processing", at_signing_step, "leader", {}),
    ("processing", "forward", "result_ready", signed_before_registration, "police", {}),
    ("awaiting_obligation", "confirm_obligation", "processing", obligation(False), "desk", {}),
    ("awaiting_obligation", "confirm_obligation", "result_ready", obligation(True), "desk", {}),
    ("awaiting_obligation", "withdraw", "withdrawn", obligation(False), "desk", {}),
    (
        "awaiting_obligation",
        "apologize",
        "awaiting_obligation",
        obligation(False),
        "leader",
        {"note": "Chờ", "new_due_at": datetime.datetime(2026, 11, 20, 9, 0, tzinfo=VN)},
    ),
]


@pytest.fixture
def citizen(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("congdan", password="x")


@pytest.mark.parametrize(
    ("source", "action", "target", "setup", "who", "params"),
    WALKS,
    ids=[f"{w[0]}-{w[1]}-{w[2]}" for w in WALKS],
)
def test_every_transition_through_the_door(
    procedures, people, clock, citizen, source, action, target, setup, who, params
):
    dossier = setup(people, citizen, clock)
    dossier.refresh_from_db()
    assert dossier.status == source
    actor = citizen if who == "citizen" else people[who]
    act(dossier, action, actor, **params)
    dossier.refresh_from_db()
    assert dossier.status == target
    assert dossier.events.last().action == action


def test_the_walks_cover_the_whole_table():
    from egov.dossiers.lifecycle import TABLE

    table = {(r.source.value, r.action.value, r.target.value) for r in TABLE}
    walked = {(source, action, target) for source, action, target, *_ in WALKS}
    # received → result_ready is for immediate-result procedures, walked below.
    assert table - walked == {("received", "approve", "result_ready")}


def test_immediate_result_at_the_desk(procedures, people, clock):
    from egov.catalog.services import procedures_import
    from tests.conftest import BIRTH, catalogue

    quick = {
        **BIRTH,
        "national_code": "2.000815",
        "name": "Chứng thực bản sao",
        "time_limit": {"value": 2, "unit": "hours"},
        "steps": [
            {
                "name": "Chứng thực",
                "agency_kind": "commune_service_center",
                "role": "reception",
                "hours": 2,
            }
        ],
    }
    procedures_import(data=catalogue(quick))
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="2.000815",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(dossier, "approve", people["desk"])
    dossier.refresh_from_db()
    assert dossier.status == "result_ready" and dossier.outcome == "on_time"  # same day


ACTIONS = [
    "receive",
    "refuse",
    "request_supplement",
    "complete_supplement",
    "submit_supplement",
    "transfer",
    "forward",
    "send_back",
    "request_obligation",
    "confirm_obligation",
    "approve",
    "stop",
    "withdraw",
    "apologize",
    "return_result",
]
PEOPLE = ["desk", "specialist", "leader", "police", "auditor", "justice"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(PEOPLE),
            st.integers(min_value=0, max_value=3 * 24 * 60),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_walks_keep_every_invariant(procedures, people, clock, steps):
    clock.set(2026, 11, 16, 8, 0)
    dossier = counter(people)
    calendar = working_calendar()
    for action, who, minutes in steps:
        clock.now = clock.now + datetime.timedelta(minutes=minutes)
        dossier.refresh_from_db()
        remaining = dossier.clock_remaining_minutes
        try:
            act(
                dossier,
                action,
                people[who],
                note="Ghi chú",
                new_due_at=clock.now + datetime.timedelta(days=10),
            )
        except DomainError:
            continue
        dossier.refresh_from_db()
        assert dossier.status in Status.values
        open_tasks = dossier.tasks.filter(finished_at__isnull=True).count()
        assert open_tasks <= 1
        if dossier.status in FINAL or dossier.status == Status.RESULT_READY:
            assert open_tasks == 0
        assert (dossier.clock_state == ClockState.PAUSED) == (
            dossier.status in {Status.AWAITING_OBLIGATION, Status.SUPPLEMENT_REQUESTED}
        )
        if action == "confirm_obligation" and remaining:
            # Paying gives back exactly the working time that was left.
            assert calendar.working_minutes_between(clock.now, dossier.due_at) == remaining
    events = dossier.events.order_by("seq")
    assert verify((e.prev_hash, e.hash, e.chained_content()) for e in events) is None


def test_the_applicant_does_only_what_is_theirs(procedures, people, clock, citizen):
    from egov.core.errors import NotAllowedError

    asked = intake_supplement(people, citizen, None)
    with pytest.raises(NotAllowedError):  # receiving is the desk's, even after a supplement
        act(asked, "complete_supplement", citizen)
    own = online(people, citizen)
    act(own, "receive", people["desk"])
    act(own, "transfer", people["desk"])
    act(own, "forward", people["specialist"])
    act(own, "forward", people["police"])
    act(own, "approve", people["leader"])
    own.refresh_from_db()
    own.return_method = "counter"  # a paper result, handed over at the desk
    own.save(update_fields=["return_method"])
    with pytest.raises(NotAllowedError):
        act(own, "return_result", citizen)
    own.return_method = "online"  # an electronic result: downloading it is the return
    own.save(update_fields=["return_method"])
    act(own, "return_result", citizen)


def test_a_one_step_procedure_is_decided_at_the_desk(procedures, people, clock):
    from egov.catalog.services import procedures_import
    from egov.dossiers.lifecycle import IllegalActionError
    from tests.conftest import BIRTH, catalogue

    one_step = {
        **BIRTH,
        "national_code": "1.000001",
        "time_limit": {"value": 1, "unit": "working_days"},
        "steps": [
            {
                "name": "Giải quyết tại Bộ phận Một cửa",
                "agency_kind": "commune_service_center",
                "role": "reception",
                "hours": 8,
            }
        ],
    }
    procedures_import(data=catalogue(one_step))
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.000001",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    with pytest.raises(IllegalActionError):  # no step to transfer to
        act(dossier, "transfer", people["desk"])
    act(dossier, "approve", people["desk"])
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"
