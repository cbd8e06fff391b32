"""Every token has its public id now (0004): required and unique from here on."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token_public_ids")]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="mã công khai"
            ),
        ),
    ]
