"""Notices to applicants, delivered by the outbox worker: an e-mail through Django's mail
settings (`EMAIL_URL`). A dossier with a phone number only gets nothing yet: the SMS gateway
comes with the notifications work of the citizen portal, and the log says so for each one."""

import json
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from egov.dossiers.lifecycle import EVENT_LABELS
from egov.dossiers.models import Dossier
from egov.interop.adapters.http import Attempt
from egov.interop.models import OutboxMessage


def _text(dossier: Dossier, action: str, note: str) -> tuple[str, str]:
    key = dossier.code or str(dossier.reference)
    what = EVENT_LABELS.get(action, action)
    subject = f"Hồ sơ {key}: {what}"
    lines = [
        f"Kính gửi {dossier.applicant_name},",
        "",
        f"Hồ sơ {key} ({dossier.procedure.name}): {what.lower()}.",
    ]
    if note:
        lines.append(f"Nội dung: {note}")
    if dossier.due_at:
        due = timezone.localtime(dossier.due_at).strftime("%H giờ %M phút, ngày %d/%m/%Y")
        lines.append(f"Thời gian hẹn trả kết quả: {due}.")
    lines += ["", f"Tra cứu hồ sơ: {settings.MOTCUA_PUBLIC_URL}/tra-cuu/{key}/"]
    return subject, "\n".join(lines)


def applicant_notice_send(message: OutboxMessage) -> Attempt:
    started = time.monotonic()
    dossier = (
        Dossier.objects.select_related("procedure").filter(pk=message.payload["dossier"]).first()
    )
    request = json.dumps(message.payload).encode()
    if dossier is None or not dossier.applicant_email:
        answer = "Không gửi: hồ sơ không có thư điện tử (chưa kết nối tổng đài SMS)."
        return Attempt("ok", None, "no_channel", answer, _ms(started), request, answer.encode())
    event = dossier.events.filter(seq=message.payload["event"]).first()
    subject, body = _text(dossier, message.payload["action"], event.note if event else "")
    try:
        EmailMessage(subject, body, to=[dossier.applicant_email]).send()
    except OSError as error:  # the mail server is down or refused: try again later
        return Attempt(
            "retry", None, "", f"{type(error).__name__}: {error}", _ms(started), request, b""
        )
    return Attempt("ok", 250, "", "", _ms(started), request, b"sent")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
