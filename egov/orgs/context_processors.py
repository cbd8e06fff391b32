from typing import Any

from django.http import HttpRequest

from .models import Role
from .selectors import memberships_of


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    """Which staff links the header shows: the desk to staff, the dashboard to leaders."""
    roles = {m.role for m in memberships_of(user=request.user)}
    return {
        "nav_staff": bool(roles),
        "nav_leader": bool(roles & {Role.LEADER, Role.AGENCY_ADMIN}),
    }
