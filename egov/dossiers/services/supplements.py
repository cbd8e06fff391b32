"""The daily job for supplements whose deadline passed (DOMAIN §3, Mẫu 02's "Hạn bổ sung").

A dossier whose applicant never supplied what was asked by the deadline printed on Mẫu 02
ends by the rule: stopped with the stop notice when it had a code (asked during processing),
refused (Mẫu 03) when it never got one (asked at intake). Each dossier goes through the one
door on its own transaction, as the system; a dossier someone changed meanwhile is left for
the next run.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from egov.core.errors import DomainError

from ..lifecycle import Action, Status
from ..models import Dossier, SupplementRequest
from .door import dossier_perform

LAPSED_NOTE = (
    "Quá hạn bổ sung hồ sơ ghi trên Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ mà người nộp "
    "chưa bổ sung."
)


@dataclass(frozen=True)
class LapseCounts:
    stopped: int
    refused: int


def supplements_lapse(*, now: datetime.datetime) -> LapseCounts:
    lapsed = SupplementRequest.objects.filter(
        dossier=OuterRef("pk"),
        completed_at__isnull=True,
        superseded=False,
        answered_at__isnull=True,  # handed in: the officer decides, not the clock
        deadline__lte=now,
    )
    candidates = Dossier.objects.filter(Exists(lapsed), status=Status.SUPPLEMENT_REQUESTED)
    stopped = refused = 0
    for dossier in candidates.only("pk", "code", "reference", "version").iterator():
        action = Action.STOP if dossier.code else Action.REFUSE
        try:
            dossier_perform(
                key=dossier.code or str(dossier.reference),
                action=action,
                actor=None,
                version=dossier.version,
                note=LAPSED_NOTE,
            )
        except DomainError:
            continue  # changed since it was read (supplied, withdrawn): not lapsed any more
        if action == Action.STOP:
            stopped += 1
        else:
            refused += 1
    return LapseCounts(stopped=stopped, refused=refused)
