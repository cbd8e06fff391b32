"""The transition table against DOMAIN §3, every pair, and random walks through it."""

import itertools
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.dossiers.lifecycle import (
    FINAL,
    TABLE,
    Action,
    Facts,
    IllegalActionError,
    Status,
    rule_for,
)

S = Status
# DOMAIN §3 "Transitions", written out: (from, action, to).
EXPECTED = {
    (S.SUBMITTED, "receive", S.RECEIVED),
    (S.SUBMITTED, "refuse", S.REFUSED),
    (S.SUBMITTED, "request_supplement", S.SUPPLEMENT_REQUESTED),
    (S.SUBMITTED, "withdraw", S.WITHDRAWN),
    (S.RECEIVED, "transfer", S.PROCESSING),
    (S.RECEIVED, "approve", S.RESULT_READY),
    (S.RECEIVED, "withdraw", S.WITHDRAWN),
    (S.RECEIVED, "apologize", S.RECEIVED),
    (S.PROCESSING, "forward", S.PROCESSING),
    # The last step after the signing (an inter-agency registration) makes the result ready.
    (S.PROCESSING, "forward", S.RESULT_READY),
    (S.PROCESSING, "send_back", S.PROCESSING),
    (S.PROCESSING, "apologize", S.PROCESSING),
    (S.PROCESSING, "request_supplement", S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, "request_obligation", S.AWAITING_OBLIGATION),
    (S.PROCESSING, "stop", S.STOPPED),
    (S.PROCESSING, "approve", S.RESULT_READY),
    # Signed at the signing step, with inter-agency steps after it.
    (S.PROCESSING, "approve", S.PROCESSING),
    (S.PROCESSING, "withdraw", S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, "complete_supplement", S.PROCESSING),
    (S.SUPPLEMENT_REQUESTED, "complete_supplement", S.RECEIVED),
    (S.SUPPLEMENT_REQUESTED, "withdraw", S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, "stop", S.STOPPED),
    # A supplement asked at intake that lapses: no code, so refused, never stopped.
    (S.SUPPLEMENT_REQUESTED, "refuse", S.REFUSED),
    # The applicant hands in; the officer who asked decides or asks again.
    (S.SUPPLEMENT_REQUESTED, "submit_supplement", S.SUPPLEMENT_REQUESTED),
    (S.SUPPLEMENT_REQUESTED, "request_supplement", S.SUPPLEMENT_REQUESTED),
    (S.AWAITING_OBLIGATION, "confirm_obligation", S.PROCESSING),
    (S.AWAITING_OBLIGATION, "confirm_obligation", S.RESULT_READY),
    (S.AWAITING_OBLIGATION, "withdraw", S.WITHDRAWN),
    (S.AWAITING_OBLIGATION, "apologize", S.AWAITING_OBLIGATION),
    (S.RESULT_READY, "return_result", S.RETURNED),
}

ALL_FACTS = [
    Facts(*values) for values in itertools.product([False, True], repeat=len(fields(Facts)))
]


def test_the_table_is_the_domain_table():
    assert {(rule.source, rule.action.value, rule.target) for rule in TABLE} == EXPECTED


# DOMAIN §3 "who": R reception, S specialist, L leader of the competent agency, A applicant,
# sys the system, T whoever holds the open step's role at its agency.
WHO = {
    ("submitted", "receive"): "R",
    ("submitted", "refuse"): "R",
    ("submitted", "request_supplement"): "R",
    ("submitted", "withdraw"): "A",
    ("received", "transfer"): "R",
    ("received", "approve"): "RL",
    ("processing", "forward"): "T",
    ("processing", "send_back"): "T",
    ("processing", "request_supplement"): "SL",
    ("processing", "request_obligation"): "L",
    ("processing", "stop"): "L",
    ("processing", "approve"): "T",
    ("processing", "apologize"): "L",
    ("supplement_requested", "stop"): "L$",
    ("supplement_requested", "refuse"): "R$",
    ("supplement_requested", "submit_supplement"): "AR",
    ("supplement_requested", "complete_supplement"): "RSL",
    ("supplement_requested", "request_supplement"): "RSL",
    ("result_ready", "return_result"): "RA$",
}
LETTERS = {
    "R": "reception",
    "S": "specialist",
    "L": "leader",
    "A": "applicant",
    "$": "system",
    "T": "step",
}


@pytest.mark.parametrize(("source", "action"), list(WHO))
def test_who_may_take_each_action(source, action):
    actors = {
        actor.value
        for rule in TABLE
        if rule.source == source and rule.action == action
        for actor in rule.actors
    }
    assert actors == {LETTERS[letter] for letter in WHO[(source, action)]}


def test_receiving_is_never_the_applicants():
    for rule in TABLE:
        if rule.target == S.RECEIVED and rule.source != S.RECEIVED:
            assert "applicant" not in {actor.value for actor in rule.actors}


@pytest.mark.parametrize(("status", "action"), itertools.product(Status, Action))
def test_every_pair_is_allowed_or_refused_with_a_clear_error(status, action):
    expected_targets = {to for (src, act, to) in EXPECTED if src == status and act == action}
    reached = set()
    for facts in ALL_FACTS:
        try:
            reached.add(rule_for(status, action, facts).target)
        except IllegalActionError as error:
            assert "Không thể thực hiện thao tác" in error.message
            assert error.code == "illegal_action"
    assert reached == expected_targets


def test_final_statuses_have_no_way_out():
    for status in FINAL:
        assert not [rule for rule in TABLE if rule.source == status]


def test_unknown_actions_are_refused():
    with pytest.raises(IllegalActionError):
        rule_for(Status.PROCESSING, "teleport", Facts())


def test_guards_pick_one_target():
    at_intake = Facts(supplement_at_intake=True)
    later = Facts(supplement_at_intake=False)
    assert rule_for(S.SUPPLEMENT_REQUESTED, "complete_supplement", at_intake).target == S.RECEIVED
    assert rule_for(S.SUPPLEMENT_REQUESTED, "complete_supplement", later).target == S.PROCESSING
    with pytest.raises(IllegalActionError):
        rule_for(S.RECEIVED, "approve", Facts(immediate_result=False, has_next_step=True))
    with pytest.raises(IllegalActionError):
        rule_for(S.RECEIVED, "transfer", Facts(has_next_step=False))
    with pytest.raises(IllegalActionError):
        rule_for(S.PROCESSING, "approve", Facts(has_next_step=True))
    signing = Facts(at_signing_step=True, step_open=True)
    assert rule_for(S.PROCESSING, "approve", signing).target == S.RESULT_READY
    more = Facts(at_signing_step=True, step_open=True, has_next_step=True)
    assert rule_for(S.PROCESSING, "approve", more).target == S.PROCESSING


def test_no_step_passes_an_unsigned_signing_step():
    """A specialist cannot forward the dossier past the step where the chairman signs."""
    with pytest.raises(IllegalActionError):
        rule_for(S.PROCESSING, "forward", Facts(at_signing_step=True, has_next_step=True))
    signed = Facts(at_signing_step=False, has_next_step=True, result_signed=True)
    assert rule_for(S.PROCESSING, "forward", signed).target == S.PROCESSING
    last = Facts(has_next_step=False, result_signed=True, step_open=True)
    assert rule_for(S.PROCESSING, "forward", last).target == S.RESULT_READY
    with pytest.raises(IllegalActionError):  # the last step, never signed
        rule_for(S.PROCESSING, "forward", Facts(has_next_step=False))


def test_a_supplement_ends_by_the_rule_only_after_its_deadline():
    waiting = Facts(supplement_lapsed=False)
    with pytest.raises(IllegalActionError):
        rule_for(S.SUPPLEMENT_REQUESTED, "stop", waiting)
    assert rule_for(S.SUPPLEMENT_REQUESTED, "stop", Facts(supplement_lapsed=True)).target == (
        S.STOPPED
    )
    # Never a stopped dossier without a code: asked at intake, it is refused instead.
    at_intake = Facts(supplement_lapsed=True, supplement_at_intake=True)
    with pytest.raises(IllegalActionError):
        rule_for(S.SUPPLEMENT_REQUESTED, "stop", at_intake)
    assert rule_for(S.SUPPLEMENT_REQUESTED, "refuse", at_intake).target == S.REFUSED


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(Action)), st.sampled_from(ALL_FACTS)), max_size=40))
def test_random_action_sequences_never_reach_an_undefined_state(steps):
    status = Status.SUBMITTED
    for action, facts in steps:
        try:
            rule = rule_for(status, action, facts)
        except IllegalActionError:
            continue
        assert rule.source == status  # the rule found is one from where the dossier is
        status = rule.target
        if status in FINAL:
            assert all(not _allowed(status, a, f) for a in Action for f in ALL_FACTS)


def _allowed(status, action, facts) -> bool:
    try:
        rule_for(status, action, facts)
    except IllegalActionError:
        return False
    return True
