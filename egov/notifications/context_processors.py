import functools
from typing import Any

from django.http import HttpRequest

from .selectors import unread_count


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """The header's count of the staff member's unread notices. A callable, cached: the
    template asks for it only where it draws the staff links (`nav_staff`, from
    egov.orgs.context_processors.staff_nav), so other pages pay no query."""
    user = request.user
    return {"nav_unread": functools.cache(lambda: unread_count(actor=user))}
