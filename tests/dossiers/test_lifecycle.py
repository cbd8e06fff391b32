"""The transition table against DOMAIN §3, every pair, and random walks through it."""

import itertools

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
    (S.PROCESSING, "send_back", S.PROCESSING),
    (S.PROCESSING, "apologize", S.PROCESSING),
    (S.PROCESSING, "request_supplement", S.SUPPLEMENT_REQUESTED),
    (S.PROCESSING, "request_obligation", S.AWAITING_OBLIGATION),
    (S.PROCESSING, "stop", S.STOPPED),
    (S.PROCESSING, "approve", S.RESULT_READY),
    (S.PROCESSING, "withdraw", S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, "complete_supplement", S.PROCESSING),
    (S.SUPPLEMENT_REQUESTED, "complete_supplement", S.RECEIVED),
    (S.SUPPLEMENT_REQUESTED, "withdraw", S.WITHDRAWN),
    (S.SUPPLEMENT_REQUESTED, "stop", S.STOPPED),
    (S.AWAITING_OBLIGATION, "confirm_obligation", S.PROCESSING),
    (S.AWAITING_OBLIGATION, "confirm_obligation", S.RESULT_READY),
    (S.AWAITING_OBLIGATION, "withdraw", S.WITHDRAWN),
    (S.AWAITING_OBLIGATION, "apologize", S.AWAITING_OBLIGATION),
    (S.RESULT_READY, "return_result", S.RETURNED),
}

ALL_FACTS = [Facts(*values) for values in itertools.product([False, True], repeat=5)]


def test_the_table_is_the_domain_table():
    assert {(rule.source, rule.action.value, rule.target) for rule in TABLE} == EXPECTED


# DOMAIN §3 "who": R reception, S specialist, L leader, A applicant, sys the system.
WHO = {
    ("submitted", "receive"): "R",
    ("submitted", "refuse"): "R",
    ("submitted", "request_supplement"): "R",
    ("submitted", "withdraw"): "A",
    ("received", "transfer"): "R",
    ("received", "approve"): "RL",
    ("processing", "forward"): "SL",
    ("processing", "send_back"): "SL",
    ("processing", "request_supplement"): "SL",
    ("processing", "request_obligation"): "SL",
    ("processing", "stop"): "L",
    ("processing", "approve"): "L",
    ("processing", "apologize"): "L",
    ("supplement_requested", "stop"): "L$",
    ("result_ready", "return_result"): "RA$",
}
LETTERS = {"R": "reception", "S": "specialist", "L": "leader", "A": "applicant", "$": "system"}


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
