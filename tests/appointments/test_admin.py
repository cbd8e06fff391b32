"""How a desk takes appointments is set on the admin site by its agency's administrators
(their own desk only) and the province's; auditors read."""

import pytest
from django.urls import reverse

from egov.appointments.models import DeskSchedule
from tests.conftest import CENTER, COMMUNE_CENTER, PROVINCE

pytestmark = pytest.mark.django_db

FORM = {"accepting": "on", "slot_minutes": "20", "capacity": "3", "booking_days_ahead": "10"}


def test_an_agency_admin_sets_their_own_desk_only(client, agencies, staff):
    admin = staff("quantri.xa", COMMUNE_CENTER, "agency_admin")
    client.force_login(admin)
    add = reverse("admin:appointments_deskschedule_add")
    form = client.get(add).content.decode()
    assert COMMUNE_CENTER in form or "phường Long Xuyên" in form
    assert "Trung tâm Phục vụ hành chính công tỉnh" not in form  # not theirs
    refused = client.post(add, {**FORM, "agency": agencies[CENTER].pk})
    assert refused.status_code == 200 and not DeskSchedule.objects.exists()  # not a choice
    saved = client.post(add, {**FORM, "agency": agencies[COMMUNE_CENTER].pk})
    assert saved.status_code == 302
    schedule = DeskSchedule.objects.get()
    assert (schedule.slot_minutes, schedule.capacity, schedule.booking_days_ahead) == (20, 3, 10)
    change = reverse("admin:appointments_deskschedule_change", args=[schedule.pk])
    bad = client.post(change, {**FORM, "capacity": "0"})
    assert bad.status_code == 200 and "errornote" in bad.content.decode()
    schedule.refresh_from_db()
    assert schedule.capacity == 3


def test_others_cannot_touch_a_desks_schedule(client, agencies, staff, people):
    schedule = DeskSchedule.objects.create(agency=agencies[COMMUNE_CENTER])
    change = reverse("admin:appointments_deskschedule_change", args=[schedule.pk])
    other_admin = staff("quantri.tt", CENTER, "agency_admin")
    client.force_login(other_admin)
    assert client.get(change).status_code in {302, 403, 404}
    client.force_login(people["auditor"])
    assert client.get(change).status_code == 200  # reads
    assert client.post(change, {**FORM, "capacity": "9"}).status_code == 403
    province_admin = staff("quantri.tinh", PROVINCE, "province_admin")
    client.force_login(province_admin)
    assert client.post(change, {**FORM, "capacity": "9"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.capacity == 9
