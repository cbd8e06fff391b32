"""Telling staff what the bus cannot settle by itself: a dead letter, a tax payment that
moved nothing. Who is told is decided here, from the memberships (`egov.orgs`); the notice
itself (a row shown in the desk, a copy by e-mail) is the notifications app's. That app sits
in a layer above this one, which may not import it (the import-linter contract in
pyproject.toml): it registers its sender here in its `AppConfig.ready()`, as it registers
the delivery of its outbox messages with `delivery.route_register`.
"""

import datetime
from typing import Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured

from egov.dossiers.models import Dossier
from egov.orgs.models import Role
from egov.orgs.selectors import staff_with_role


class AlertSender(Protocol):
    def __call__(
        self,
        *,
        recipients: list[User],
        title: str,
        body: str,
        link: str,
        quiet: datetime.timedelta | None,
    ) -> int: ...


_sender: AlertSender | None = None


def alert_sender_register(sender: AlertSender) -> None:
    """The notices' sender (egov.notifications). The same sender again changes nothing
    (`ready()` may run more than once); a second, different one is a wiring error."""
    global _sender
    if _sender is not None and _sender is not sender:
        raise ImproperlyConfigured("A staff alert sender is registered already.")
    _sender = sender


def staff_alert(
    *,
    recipients: list[User],
    title: str,
    body: str,
    link: str = "",
    quiet: datetime.timedelta | None = None,
) -> int:
    """Tell these people, inside the caller's transaction. With `quiet`, nothing is sent when
    a notice with the same title went out that recently (to anyone): a long outage or a
    payment read again at every poll is told once, not at every turn. Returns how many
    people were told."""
    if _sender is None:
        raise ImproperlyConfigured(
            "No staff alert sender is registered: is egov.notifications installed?"
        )
    return _sender(recipients=recipients, title=title, body=body, link=link, quiet=quiet)


def province_admins() -> list[User]:
    """Those who run the bus: the active province administrators."""
    return list(staff_with_role(role=Role.PROVINCE_ADMIN))


def dossier_desk(dossier: Dossier) -> list[User]:
    """Those who answer for a dossier's money matters: the reception officers of the desk
    that received it and the leaders of the agency that decides it. A dossier with nobody in
    either role falls to the province administrators, so an alert is never lost."""
    people = {
        user.pk: user
        for user in [
            *staff_with_role(role=Role.RECEPTION, agency=dossier.receiving_agency),
            *staff_with_role(role=Role.LEADER, agency=dossier.competent_agency),
        ]
    }
    return [people[pk] for pk in sorted(people)] or province_admins()
