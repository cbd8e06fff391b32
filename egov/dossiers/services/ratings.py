"""The applicant's evaluation of a dossier (TT 01/2018 art. 13-14): once, after the result."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from egov.core.text import clean_text

from .. import handlers, lifecycle, policies
from ..errors import DossierNotFoundError, DossierRuleError
from ..lifecycle import Status
from ..models import Dossier, DossierRating
from ..selectors import dossier_locate, open_task_of
from .door import _write_event

# The citizen's indicators (art. 14(3): 1, 3, 4 and 7), as the rating's fields.
INDICATORS = ("time_taken", "desk_contacts", "bodies_contacted", "attitude")
# A dossier is rated once its outcome is known.
RATEABLE = frozenset({Status.RESULT_READY, Status.RETURNED, Status.STOPPED})
MAX_COMMENT = 2000


@transaction.atomic(durable=True)
def dossier_rate(
    *, actor: User, key: str, scores: dict[str, Any], comment: str = ""
) -> DossierRating:
    dossier = Dossier.objects.select_for_update().get(pk=dossier_locate(key=key).pk)
    if not policies.can_view(actor, dossier):
        raise DossierNotFoundError
    if lifecycle.Actor.APPLICANT not in policies.acting_as(actor, dossier, None):
        raise DossierRuleError("Chỉ người nộp hồ sơ đánh giá hồ sơ.", code="not_applicant")
    if dossier.status not in RATEABLE:
        raise DossierRuleError("Bạn đánh giá được khi hồ sơ đã có kết quả.", code="not_rateable")
    if DossierRating.objects.filter(dossier=dossier).exists():
        raise DossierRuleError("Hồ sơ này đã được đánh giá.", code="already_rated")
    problems = {}
    values: dict[str, int] = {}
    for name in INDICATORS:
        raw = scores.get(name)
        try:
            value = int(raw) if raw is not None and str(raw).strip() != "" else -1
        except (TypeError, ValueError):
            value = -1
        if value not in (0, 1, 2):
            problems[name] = "Chọn một mức đánh giá."
        values[name] = value
    comment = clean_text(comment or "")
    if len(comment) > MAX_COMMENT:
        problems["comment"] = f"Góp ý tối đa {MAX_COMMENT} ký tự."
    if problems:
        raise DossierRuleError("Đánh giá chưa đủ.", code="invalid_rating", fields=problems)
    now = timezone.now()
    rating = DossierRating.objects.create(
        dossier=dossier, by=actor, at=now, comment=comment, **values
    )
    event = _write_event(
        dossier,
        step=open_task_of(dossier),
        actor=actor,
        action="rate",
        source=dossier.status,
        target=dossier.status,
        at=now,
        note="",
        payload={**values, "total": rating.total},
    )
    dossier.save(update_fields=["event_seq", "event_head"])
    handlers.dispatch(event)
    return rating
