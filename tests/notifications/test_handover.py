"""Issue 11, point 4: whoever must act next on a dossier is told when it reaches them."""

from typing import Any

import pytest

from egov.notifications.models import StaffNotification
from tests.dossiers.conftest import act

pytestmark = pytest.mark.django_db


def _told(user: Any) -> list[str]:
    return list(StaffNotification.objects.filter(recipient=user).values_list("title", flat=True))


def test_each_hand_over_tells_the_next_officer(counter_dossier: Any, people: dict[str, Any]):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    assert _told(people["specialist"]) == [f"Hồ sơ {dossier.code} chờ bạn xử lý"]
    assert _told(people["desk"]) == []  # never the one who acted
    act(dossier, "forward", people["specialist"])
    # The police's inter-agency step, then the leader's signature.
    assert _told(people["police"]) == [f"Hồ sơ {dossier.code} chờ bạn xử lý"]
    act(dossier, "forward", people["police"])
    assert _told(people["leader"]) == [f"Hồ sơ {dossier.code} chờ bạn xử lý"]


def test_a_supplement_handed_in_tells_the_officer_who_asked(
    counter_dossier: Any, people: dict[str, Any]
):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh.")
    StaffNotification.objects.all().delete()
    act(dossier, "submit_supplement", people["desk"])
    assert _told(people["specialist"]) == [f"Hồ sơ {dossier.code} chờ bạn xử lý"]
