"""Issue 11, point 4: whoever must act next on a dossier is told when it reaches them."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from egov.core.errors import NotAllowedError
from egov.dossiers.models import ProcessTask
from egov.dossiers.selectors import WorklistFilters, dossier_worklist, worklist_counts
from egov.notifications.models import NotificationPreference, StaffNotification
from egov.notifications.services import staff_email_choice_set
from tests.conftest import COMMUNE
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


def _mine(user: Any) -> list[str]:
    return [
        d.code
        for d in dossier_worklist(
            actor=user, filters=WorklistFilters(tab="mine"), after=None, limit=50
        )
    ]


def test_a_step_to_sign_waits_under_each_leaders_own_work(
    counter_dossier: Any, people: dict[str, Any], staff: Any
):
    """Two leaders share the commune: the signing step is given to nobody, and it shows
    under "Việc của tôi" for both (not only under "Chưa giao"), each told it waits."""
    deputy = staff("phochutich.xa", COMMUNE, "leader")
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    dossier.refresh_from_db()
    task = ProcessTask.objects.get(dossier=dossier, finished_at__isnull=True)
    assert (task.role, task.assignee) == ("leader", None)
    for leader in (people["leader"], deputy):
        assert _mine(leader) == [dossier.code]
        assert worklist_counts(actor=leader)["mine"] == 1
        assert worklist_counts(actor=leader)["unassigned"] == 0  # not waiting to be given
        assert _told(leader) == [f"Hồ sơ {dossier.code} chờ bạn xử lý"]
    # Not the specialist's work, though they see the dossier.
    assert _mine(people["specialist"]) == []


def test_an_officer_chooses_whether_notices_also_come_by_email(
    counter_dossier: Any,
    people: dict[str, Any],
    client: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
):
    specialist = people["specialist"]
    specialist.email = "chuyenvien@example.vn"
    specialist.save(update_fields=["email"])
    client.force_login(specialist)
    page = client.get(reverse("notifications:list"))
    assert 'name="email" value="1" checked' in page.content.decode()
    answer = client.post(reverse("notifications:staff_email"), {}, follow=True)
    assert "chỉ hiện trên trang này" in answer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        act(counter_dossier, "transfer", people["desk"])
    assert _told(specialist) == [f"Hồ sơ {counter_dossier.code} chờ bạn xử lý"]
    assert mailoutbox == []
    client.post(reverse("notifications:staff_email"), {"email": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        act(counter_dossier, "forward", specialist)
        act(counter_dossier, "send_back", people["police"], note="Thiếu xác minh.")
    assert [mail.to for mail in mailoutbox] == [["chuyenvien@example.vn"]]


def test_the_email_choice_is_for_staff_with_an_address(people: dict[str, Any], client: Any):
    specialist = people["specialist"]  # no e-mail address
    client.force_login(specialist)
    answer = client.post(reverse("notifications:staff_email"), {"email": "1"}, follow=True)
    assert "chưa có địa chỉ thư điện tử" in answer.content.decode()
    assert not NotificationPreference.objects.filter(user=specialist).exists()
    with pytest.raises(NotAllowedError):
        staff_email_choice_set(actor=User.objects.create_user("nguoidan"), email=False)
