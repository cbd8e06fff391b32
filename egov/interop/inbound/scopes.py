"""django-oauth-toolkit's scopes come from the registry: each active inbound service names
one, and a connection account is granted some of them."""

from typing import Any

from oauth2_provider.scopes import BaseScopes

from ..models import ConnectionAccount
from .selectors import inbound_scopes


class RegistryScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return inbound_scopes()

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        """An account may ask for the scopes it was granted, and only while active."""
        known = inbound_scopes()
        if application is None:
            return list(known)
        account = ConnectionAccount.objects.filter(application=application, active=True).first()
        if account is None:
            return []
        return sorted(scope for scope in account.scope_set if scope in known)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        # A token asked for without a scope carries every scope the account was granted.
        return self.get_available_scopes(application, request, *args, **kwargs)
