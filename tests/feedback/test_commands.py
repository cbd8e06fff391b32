"""The feedback clock's command, as cron runs it."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_flag_feedback_reports_what_it_changed() -> None:
    out = io.StringIO()
    call_command("flag_feedback", stdout=out)
    assert out.getvalue().strip() == "Đã cập nhật 0 phản ánh, kiến nghị."
