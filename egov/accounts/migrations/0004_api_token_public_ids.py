"""Data for what 0003 added, for tokens from before it: each gets its public id, and the
digest of its account's current password (as egov.accounts.services.password_digest makes
it), so it keeps working until it expires. Its prefix stays empty: the key is not stored (the
pages call it "mã cũ"). Reversing clears what this wrote."""

import hashlib
import uuid

from django.db import migrations


def forwards(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    tokens = ApiToken.objects.filter(public_id__isnull=True).select_related("user")
    for token in tokens.only("pk", "user__password").iterator():
        ApiToken.objects.filter(pk=token.pk).update(
            public_id=uuid.uuid4(),
            password_digest=hashlib.sha256(token.user.password.encode()).hexdigest(),
        )


def backwards(apps, schema_editor):
    apps.get_model("accounts", "ApiToken").objects.update(public_id=None, password_digest="")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_token_revocation")]

    operations = [migrations.RunPython(forwards, backwards)]
