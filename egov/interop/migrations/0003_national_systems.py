"""The province's connected systems and their services, as a deployment starts with them
(editable in the admin afterwards), and the outbox rows written before the bus existed."""

from django.db import migrations

# The registry as this deployment's code defines it, installed with this migration's models.
from egov.interop.standard_registry import install


def add_systems(apps, schema_editor):
    install(
        apps.get_model("interop", "ConnectedSystem"),
        apps.get_model("interop", "SystemService"),
        apps.get_model("interop", "SystemHealth"),
    )


def retire_legacy_rows(apps, schema_editor):
    """Rows queued before the bus: the applicant notices keep going (now with their system
    and order); the old portal messages carried no portal payload and could never be sent,
    so they give way to a full sync of each dossier (`portal_resync`)."""
    OutboxMessage = apps.get_model("interop", "OutboxMessage")
    OutboxMessage.objects.filter(topic="dvcqg.dossier").delete()
    for message in OutboxMessage.objects.filter(topic="notify.applicant", system=""):
        dossier_id = message.idempotency_key.split(":")[1]
        message.system = "notify"
        message.ordering_key = f"notify:{dossier_id}"
        message.retry_from = message.created_at
        message.save(update_fields=["system", "ordering_key", "retry_from"])


class Migration(migrations.Migration):
    dependencies = [("interop", "0002_registry_log_sync_inbound")]

    operations = [
        migrations.RunPython(add_systems, migrations.RunPython.noop),
        migrations.RunPython(retire_legacy_rows, migrations.RunPython.noop),
    ]
