"""The connected systems the notices to citizens go out through — the SMS gateway ("sms")
and Zalo's notification service ("zalo") — on a database that predates them: adds what the
standard registry has and the database lacks; an administrator's edits stay."""

from django.db import migrations

# The registry as this deployment's code defines it, installed with this migration's models.
from egov.interop.standard_registry import install


def add_systems(apps, schema_editor):
    install(
        apps.get_model("interop", "ConnectedSystem"),
        apps.get_model("interop", "SystemService"),
        apps.get_model("interop", "SystemHealth"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_citizen_preferences"),
        ("interop", "0005_tax_notice_disputed_outcome"),
    ]

    operations = [migrations.RunPython(add_systems, migrations.RunPython.noop)]
