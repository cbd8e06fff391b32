"""Data for what migration 0003 added, for dossiers from before it: each open supplement
request gets its deadline (the procedure's `supplement_time_limit`, else the 15 working days
of `services.effects.DEFAULT_SUPPLEMENT_LIMIT`), so the leader or the daily job can still end
it; each received dossier of the current year gets its row in its desk's tracking book, in
order of receipt, and the book's counter goes on from there. Reversing clears what this
wrote."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from egov.core import workcal

DEFAULT_SUPPLEMENT_LIMIT = {"value": 15, "unit": "working_days"}


def _calendar(apps):
    entries = apps.get_model("orgs", "CalendarEntry").objects.values_list("date", "kind")
    return workcal.WorkingCalendar(
        segments=workcal.parse_segments(settings.MOTCUA_WORKING_HOURS),
        extra_days_off=[day for day, kind in entries if kind == "day_off"],
        extra_working_days=[day for day, kind in entries if kind != "day_off"],
    )


def forwards(apps, schema_editor):
    SupplementRequest = apps.get_model("dossiers", "SupplementRequest")
    Dossier = apps.get_model("dossiers", "Dossier")
    BookCounter = apps.get_model("dossiers", "BookCounter")
    calendar = _calendar(apps)
    open_requests = SupplementRequest.objects.filter(
        deadline__isnull=True, completed_at__isnull=True, superseded=False
    ).select_related("dossier__procedure_revision")
    for request in open_requests.iterator():
        content = request.dossier.procedure_revision.content
        limit = content.get("supplement_time_limit") or DEFAULT_SUPPLEMENT_LIMIT
        request.deadline = calendar.due_time(
            request.requested_at, Decimal(str(limit["value"])), limit["unit"]
        )
        request.save(update_fields=["deadline"])
    year = timezone.localdate().year
    received = Dossier.objects.filter(book_number__isnull=True, received_at__isnull=False).order_by(
        "received_at", "pk"
    )
    counters: dict[tuple[int, int], int] = {}
    for dossier in received.only("pk", "receiving_agency_id", "received_at").iterator():
        received_year = timezone.localtime(dossier.received_at).year
        if received_year != year:
            continue  # books of past years are closed; their rows print blank
        key = (dossier.receiving_agency_id, year)
        counters[key] = counters.get(key, 0) + 1
        Dossier.objects.filter(pk=dossier.pk).update(book_number=counters[key])
    for (agency_id, counter_year), last in counters.items():
        BookCounter.objects.update_or_create(
            agency_id=agency_id, year=counter_year, defaults={"last": last}
        )


def backwards(apps, schema_editor):
    # What 0003 added goes with 0003's own reversal; here only the data this wrote.
    apps.get_model("dossiers", "BookCounter").objects.all().delete()
    apps.get_model("dossiers", "Dossier").objects.update(book_number=None)
    apps.get_model("dossiers", "SupplementRequest").objects.update(deadline=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0003_book_papers_corrections_supplement_deadline"),
        ("orgs", "0002_agency_phone_membership_title"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
