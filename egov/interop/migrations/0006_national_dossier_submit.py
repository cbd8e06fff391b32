"""The national portal's new inbound service: dossiers submitted there reach the desk through
the bus (`dvcqg.dossier.submit`, scope `dossier.submit`). Adds what the standard registry
has and the database lacks; an administrator's edits stay."""

from django.db import migrations

from egov.interop.standard_registry import install


def add_services(apps, schema_editor):
    install(
        apps.get_model("interop", "ConnectedSystem"),
        apps.get_model("interop", "SystemService"),
        apps.get_model("interop", "SystemHealth"),
    )


class Migration(migrations.Migration):
    dependencies = [("interop", "0005_tax_notice_disputed_outcome")]

    operations = [migrations.RunPython(add_services, migrations.RunPython.noop)]
