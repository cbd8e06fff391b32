from typing import Any

from django.http import HttpRequest

from .models import PROVINCE_WIDE_ROLES, Role
from .selectors import memberships_of


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    """Which staff links the header shows: the desk to staff, the dashboard to leaders, the
    interconnection axis to province administrators and auditors. The count of unread
    notices beside them comes from the notifications app (`unread_notices`)."""
    roles = {m.role for m in memberships_of(user=request.user)}
    user = request.user
    return {
        "nav_staff": bool(roles),
        "nav_leader": bool(roles & {Role.LEADER, Role.AGENCY_ADMIN}),
        # As egov.interop.policies.can_view_bus answers, from the roles already read.
        "nav_bus": bool(roles & PROVINCE_WIDE_ROLES) or getattr(user, "is_superuser", False),
    }
