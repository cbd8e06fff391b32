"""The feedback lifecycle table: what moves where, who may, and the guards' reasons."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.feedback import lifecycle
from egov.feedback.lifecycle import Action, Facts, IllegalFeedbackActionError, Status


def test_the_table_names_only_known_statuses_and_one_rule_per_case():
    seen = set()
    for rule in lifecycle.TABLE:
        assert rule.source in Status.values and rule.target in Status.values
        assert rule.actors and (not rule.guard or hasattr(Facts(), rule.guard))
        assert (rule.source, rule.action, rule.guard) not in seen
        seen.add((rule.source, rule.action, rule.guard))


def test_final_statuses_have_no_way_out():
    for status in lifecycle.FINAL:
        assert lifecycle.rules_from(status) == []


def test_answered_leads_only_to_published():
    assert [(r.action, r.target) for r in lifecycle.rules_from(Status.ANSWERED)] == [
        (Action.PUBLISH, Status.PUBLISHED)
    ]


def test_reject_after_the_window_says_why():
    closed = Facts(reject_window_open=False)
    with pytest.raises(IllegalFeedbackActionError) as refused:
        lifecycle.rule_for(Status.RECEIVED, Action.REJECT, closed)
    assert "2 ngày làm việc" in refused.value.message
    assert lifecycle.rule_for(Status.RECEIVED, Action.CLASSIFY, closed).target == Status.ACCEPTED


def test_publish_needs_consent_and_unknown_actions_are_refused():
    with pytest.raises(IllegalFeedbackActionError, match="không đồng ý công khai"):
        lifecycle.rule_for(Status.ANSWERED, Action.PUBLISH, Facts(consented=False))
    with pytest.raises(IllegalFeedbackActionError, match="không hợp lệ"):
        lifecycle.rule_for(Status.RECEIVED, "delete", Facts())
    with pytest.raises(IllegalFeedbackActionError, match="Đã trả lời"):
        lifecycle.rule_for(Status.ANSWERED, Action.ANSWER, Facts())


@given(
    st.lists(st.sampled_from(list(Action)), max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_no_sequence_of_actions_reaches_an_undefined_state(actions, window, consented):
    status = Status.RECEIVED
    facts = Facts(reject_window_open=window, consented=consented)
    for action in actions:
        try:
            status = lifecycle.rule_for(status, action, facts).target
        except IllegalFeedbackActionError:
            continue
        assert status in Status.values
        if status == Status.PUBLISHED:
            assert consented
