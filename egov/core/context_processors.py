from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout shows: the portal's name."""
    return {"site_name": settings.MOTCUA_SITE_NAME}
