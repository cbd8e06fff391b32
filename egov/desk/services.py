"""Writes of the desk's own: the scans held for a counter intake form between its tries.

A scan is held for one officer and one form (its token): no other officer sees it or can
send it, and another form of the same officer does not either. Its file is checked like any
upload (`core.files.check_upload`: type sniffed from the content, size) and stored under a
random name. Limits keep one officer from filling the disk: `MAX_HELD_FILES` files and
`MAX_HELD_BYTES` bytes held at once.

Held scans go stale after `HELD_HOURS` (a form left at an error past the working day):
stale ones are never shown or sent, the officer's own are deleted each time they hold a
new one, and `manage.py expire_held_scans` (daily, from cron) deletes everybody's."""

import datetime
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.core.files import check_upload
from egov.orgs.models import Role
from egov.orgs.selectors import memberships_of

from .models import HeldScan
from .selectors import HELD_HOURS, stale_before

__all__ = ["HELD_HOURS", "HeldScanLimitError", "held_scans_expire", "scan_hold", "scans_release"]

MAX_HELD_FILES = 40
MAX_HELD_BYTES = 200 * 1024 * 1024


class HeldScanLimitError(DomainError):
    """The officer holds as many scans as allowed; send or remove some first."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="held_scans_full")


def display_name(name: str) -> str:
    """The file's name as the officer's computer gave it, without folders, hidden or
    control characters, at most 200 characters (its extension kept)."""
    base = PurePath(name.replace("\\", "/")).name
    kept = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    kept = unicodedata.normalize("NFC", kept).strip() or "tep"
    if len(kept) > 200:
        stem, dot, extension = kept.rpartition(".")
        extension = extension[:20] if dot else ""
        kept = f"{stem[: 199 - len(extension)]}.{extension}" if extension else kept[:200]
    return kept


def _require_reception(actor: User) -> None:
    if not any(m.role == Role.RECEPTION for m in memberships_of(user=actor)):
        raise NotAllowedError("Chỉ cán bộ tiếp nhận được đính kèm giấy tờ tại quầy.")


def _remove_files(paths: list[str]) -> None:
    """Files of rows whose deletion is committed (called after the transaction)."""
    storage = HeldScan.file.field.storage
    for path in paths:
        storage.delete(path)


def _delete(scans: Iterable[HeldScan], gone: list[str]) -> int:
    """Delete these rows in the caller's transaction; their files go to `gone`, for the
    caller to remove once the transaction is over."""
    rows = list(scans)
    if not rows:
        return 0
    HeldScan.objects.filter(pk__in=[scan.pk for scan in rows]).delete()
    gone.extend(scan.file.name for scan in rows)
    return len(rows)


def scan_hold(
    *,
    actor: User,
    token: str,
    procedure_code: str,
    component: str,
    stream: IO[bytes],
    name: str,
    size: int,
) -> HeldScan:
    """Check the file and hold it for this officer's form, in place of the one held for the
    same component before (a new upload replaces). UploadError for a bad file,
    HeldScanLimitError past the limits."""
    _require_reception(actor)
    checked = check_upload(
        stream, name=name, size=size, max_bytes=settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    )
    stored = ""
    gone: list[str] = []
    try:
        with transaction.atomic(durable=True):
            # One officer's holds queue behind each other: the limits count every one of them.
            User.objects.select_for_update().filter(pk=actor.pk).first()
            now = timezone.now()
            mine = HeldScan.objects.filter(officer=actor)
            _delete(mine.filter(held_at__lt=stale_before(now)), gone)
            _delete(
                mine.filter(token=token, procedure_code=procedure_code, component=component), gone
            )
            # Another procedure's scans under this token (a form opened on another
            # procedure with the same token cannot exist; a crafted one gets nothing).
            _delete(mine.filter(token=token).exclude(procedure_code=procedure_code), gone)
            held = mine.aggregate(total=Sum("size"))["total"] or 0
            if mine.count() >= MAX_HELD_FILES or held + checked.size > MAX_HELD_BYTES:
                raise HeldScanLimitError(
                    "Đang giữ quá nhiều tệp của các phiếu chưa gửi xong. Hãy gửi phiếu hoặc bỏ "
                    "bớt tệp đã đính kèm rồi đính kèm lại."
                )
            scan = HeldScan(
                officer=actor,
                token=token,
                procedure_code=procedure_code,
                component=component,
                name=display_name(name),
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                held_at=now,
            )
            scan.file.save(checked.name, File(stream), save=False)
            stored = scan.file.name
            scan.save()
    except BaseException:
        if stored:
            HeldScan.file.field.storage.delete(stored)
        raise
    _remove_files(gone)
    return scan


def scans_release(
    *, actor: User, token: str, procedure_code: str, components: Iterable[str] | None = None
) -> int:
    """Let go of this officer's scans held for the form (only those of `components` when
    given): removed by the officer, or sent with the dossier. Returns how many."""
    gone: list[str] = []
    with transaction.atomic(durable=True):
        scans = HeldScan.objects.filter(officer=actor, token=token, procedure_code=procedure_code)
        if components is not None:
            scans = scans.filter(component__in=list(components))
        released = _delete(scans.select_for_update(), gone)
    _remove_files(gone)
    return released


def held_scans_expire(*, now: datetime.datetime) -> int:
    """Delete every held scan older than `HELD_HOURS`, with its file. Returns how many."""
    expired = 0
    cutoff = stale_before(now)
    pks = list(HeldScan.objects.filter(held_at__lt=cutoff).values_list("pk", flat=True))
    for start in range(0, len(pks), 500):
        gone: list[str] = []
        with transaction.atomic(durable=True):
            expired += _delete(
                HeldScan.objects.select_for_update().filter(
                    pk__in=pks[start : start + 500], held_at__lt=cutoff
                ),
                gone,
            )
        _remove_files(gone)
    return expired
