"""What the notifications app does when a dossier changes, registered with the engine in
`NotificationsConfig.ready()` (`egov.dossiers.handlers`): the applicant is told of every step
that concerns them, in plain Vietnamese, by the channels they get (`citizen_notify`: one
outbox row per channel, written in the event's transaction).

Who is told: the dossier's owner (a citizen who submitted it online with their account: their
channel choices apply, at the phone and e-mail of their e-identity, else the dossier's), or
else whoever the dossier names (its phone and e-mail). Each event has its template,
`notifications/messages/<notice>.txt`, filled with `notice_context`."""

import datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from egov.dossiers import handlers
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Channel, Dossier, DossierEvent, SupplementRequest

from . import selectors
from .services import Recipient, citizen_notify
from .texts import fit

TEMPLATES = "notifications/messages"
# Each notice of a dossier event, by the action that made it (see `notice_for`).
NOTICES = (
    "submitted",
    "received",
    "supplement_requested",
    "supplement_accepted",
    "obligation_requested",
    "obligation_confirmed",
    "apology",
    "result_ready",
    "returned",
    "refused",
    "stopped",
    "withdrawn",
)
_BY_ACTION = {
    "receive": "received",
    "request_supplement": "supplement_requested",
    "request_obligation": "obligation_requested",
    "confirm_obligation": "obligation_confirmed",
    "apologize": "apology",
    "return_result": "returned",
    "refuse": "refused",
    "stop": "stopped",
    "withdraw": "withdrawn",
}
_ORGANISATION_TYPES = frozenset({2, 3, 4})


def notice_for(event: DossierEvent, dossier: Dossier) -> str | None:
    """The notice an event calls for, or None when it is no news to the applicant (an
    officer's hand-over, a file attached, an approval with steps still to run)."""
    if event.to_status == Status.RESULT_READY and event.from_status != Status.RESULT_READY:
        # Whichever action made it so: the approval, the last step after the signing, the
        # paid obligation of a signed result.
        return "result_ready"
    if event.action == "submit":
        # At the counter the receipt follows at once; by post the desk receives it later.
        return "submitted" if dossier.channel == Channel.ONLINE else None
    if event.action == "complete_supplement":
        return "received" if event.to_status == Status.RECEIVED else "supplement_accepted"
    return _BY_ACTION.get(event.action)


# Names of procedures and agencies can be very long; an SMS has room for the gist.
NAME_LIMIT = 90


def _plain_procedure(name: str) -> str:
    """ "Thủ tục đăng ký khai sinh" → "Đăng ký khai sinh": the thing the person asked for."""
    for prefix in ("Thủ tục ", "thủ tục "):
        name = name.removeprefix(prefix)
    return _short(name[:1].upper() + name[1:])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_LIMIT else fit(text, NAME_LIMIT)


def _moment(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _item_text(item: Any) -> str:
    """A supplement item as the engine stores it: a string, or {"name", "note"}."""
    if isinstance(item, dict):
        name = str(item.get("name") or item.get("code") or "")
        note = str(item.get("note") or "")
        return f"{name}: {note}" if name and note else name or note
    return str(item)


def _link(name: str, key: str, fallback: str) -> str:
    """A full address of a portal page; the look-up page if the portal has no such page."""
    try:
        path = reverse(name, args=[key])
    except NoReverseMatch:
        return fallback
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}{path}"


def notice_context(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    """What the message templates are filled with (the texts write the times themselves,
    with `notify_format`)."""
    key = dossier.code or str(dossier.reference)
    own = dossier.owner_id is not None
    site = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    # The public look-up answers a dossier's code only (a reference is its owner's): before
    # the code, the owner follows it on their own page, anyone else on the portal.
    lookup = (
        f"{site}/tra-cuu/{dossier.code}/"
        if dossier.code
        else _link("portal:my_dossier", key, f"{site}/")
        if own
        else f"{site}/"
    )
    context: dict[str, Any] = {
        "name": dossier.applicant_name,
        "you": "quý tổ chức" if dossier.applicant_type in _ORGANISATION_TYPES else "ông/bà",
        "code": dossier.code or "",
        "key": key,
        "procedure": _plain_procedure(dossier.procedure.name),
        "desk": _short(dossier.receiving_agency.name),
        "due": dossier.due_at,
        "return_method": dossier.return_method,
        "reason": event.note,
        "link": lookup,
        # A dossier with an owner is followed on the portal: its own page does more (answer a
        # supplement request, download the result, rate the service).
        "own": own,
        "mine": _link("portal:my_dossier", key, lookup) if own else lookup,
        "rate": _link("portal:my_rate", key, lookup) if own else lookup,
    }
    payload = event.payload or {}
    if event.action == "request_supplement":
        request = SupplementRequest.objects.filter(dossier=dossier).order_by("-pk").first()
        context["items"] = [_item_text(item) for item in (request.items if request else [])]
        context["items"] = [item for item in context["items"] if item.strip()]
        context["deadline"] = (request.deadline if request else None) or _moment(
            payload.get("deadline")
        )
        context["at_intake"] = bool(payload.get("at_intake"))
    if event.action == "apologize":
        context["new_due"] = _moment(payload.get("new_due_at")) or dossier.due_at
    return context


def recipient_of(dossier: Dossier) -> Recipient:
    """The owner, at their e-identity's phone and e-mail (else the dossier's), with their
    choices; or whoever the dossier names."""
    owner = dossier.owner
    if owner is not None:
        phone, email = selectors.contact_of(owner)
        return Recipient(
            name=dossier.applicant_name,
            phone=phone or dossier.applicant_phone,
            email=email or dossier.applicant_email,
            user_id=dossier.owner_id,
        )
    return Recipient(
        name=dossier.applicant_name, phone=dossier.applicant_phone, email=dossier.applicant_email
    )


def notify_applicant(event: DossierEvent) -> None:
    dossier = event.dossier
    notice = notice_for(event, dossier)
    if notice is None:
        return
    recipient = recipient_of(dossier)
    if not (recipient.phone or recipient.email):
        return
    citizen_notify(
        recipient=recipient,
        template=f"{TEMPLATES}/{notice}",
        context=notice_context(event, dossier),
        key=f"notify:{dossier.pk}:{event.seq}",
    )


def register_handlers() -> None:
    """After the national portal's sync (10), before the ministries' messages (30, 40)."""
    handlers.register(notify_applicant, order=20)
