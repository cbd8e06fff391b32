"""The applicant's own pages: "Hồ sơ của tôi" (their dossiers, what happened, what is expected
now; answer a supplement request, withdraw, download the result, rate) and "Giấy tờ của tôi"
(the papers they may reuse). Parse, call the engine's selectors and services, render: who sees
what and who may do what is the engine's answer (egov.dossiers.policies, selectors, services).

Every page is for a signed-in citizen or organisation (VNeID). The anonymous are sent to sign
in and come back; staff are pointed to the desk. Every change is a POST with the CSRF token
and the version of the dossier the page showed: a page read before someone else's change
changes nothing and says so.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import IO, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from egov.core.errors import DomainError, NotAllowedError
from egov.core.text import clean_text
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.dossiers.lifecycle import Action, Status
from egov.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierDraft,
    DossierRating,
    ReturnMethod,
    SupplementRequest,
)
from egov.dossiers.selectors import (
    actions_available,
    document_get,
    dossier_get,
    is_overdue,
    open_supplement_of,
)
from egov.dossiers.selectors.citizen import (
    NextStep,
    citizen_timeline,
    my_documents,
    my_dossiers,
    next_step,
)
from egov.dossiers.services import document_attach, dossier_perform
from egov.dossiers.services.ratings import INDICATORS, MAX_COMMENT, RATEABLE, dossier_rate
from egov.orgs.policies import is_staff_member

PAGE_SIZE = 20
# One form sends at most this many files; a person adds more by sending the form again.
MAX_FILES_AT_ONCE = 10
MAX_REASON = 1000
MAX_NOTE = 1000
STALE = "Hồ sơ vừa thay đổi, hãy xem lại trước khi làm tiếp. Chưa có gì được thay đổi."
# A dossier's code is 30 characters, its reference a 36-character UUID.
MAX_KEY = 64

# How these pages name each status, in the applicant's words, and the colour of its tag.
STATUS_TAGS: dict[str, tuple[str, str]] = {
    Status.SUBMITTED: ("Chờ tiếp nhận", "blue"),
    Status.RECEIVED: ("Đã tiếp nhận", "blue"),
    Status.PROCESSING: ("Đang giải quyết", "blue"),
    Status.SUPPLEMENT_REQUESTED: ("Cần bổ sung", "orange"),
    Status.AWAITING_OBLIGATION: ("Chờ nộp nghĩa vụ tài chính", "orange"),
    Status.RESULT_READY: ("Đã có kết quả", "green"),
    Status.RETURNED: ("Đã trả kết quả", "green"),
    Status.REFUSED: ("Không được tiếp nhận", "red"),
    Status.STOPPED: ("Dừng giải quyết", "red"),
    Status.WITHDRAWN: ("Đã rút", "grey"),
}

# TT 01/2018's indicators the citizen scores (1, 3, 4, 7), as plain questions; 2 points first.
QUESTIONS: list[tuple[str, str, list[tuple[int, str]]]] = [
    (
        "time_taken",
        "Thời gian giải quyết so với thời hạn hẹn trả",
        [(2, "Sớm hơn hạn"), (1, "Đúng hạn"), (0, "Trễ hạn")],
    ),
    (
        "desk_contacts",
        "Số lần bạn phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ",
        [(2, "Không lần nào"), (1, "1 lần"), (0, "Nhiều hơn 1 lần")],
    ),
    (
        "bodies_contacted",
        "Số cơ quan bạn phải liên hệ để giải quyết hồ sơ",
        [(2, "Không phải liên hệ cơ quan nào"), (1, "1 cơ quan"), (0, "Nhiều hơn 1 cơ quan")],
    ),
    (
        "attitude",
        "Thái độ của cán bộ",
        [
            (2, "Tốt, giải quyết đúng hạn hoặc sớm"),
            (1, "Bình thường"),
            (0, "Có biểu hiện gây phiền hà, sách nhiễu"),
        ],
    ),
]
# The component a paper answers when it is none of the procedure's (stored as "").
OTHER_PAPER = "khac"

View = Callable[..., HttpResponseBase]


def citizen_page(view: View) -> View:
    """Signed-in citizens only; a key or document that cannot be one is "not found" at once."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            start = reverse("accounts:vneid_start")
            return redirect(f"{start}?{urlencode({'next': request.get_full_path()})}")
        if user.is_staff or user.is_superuser or is_staff_member(user):
            return render(request, "portal/mine/staff.html", status=403)
        for value in kwargs.values():
            if len(value) > MAX_KEY or not value.isprintable():
                raise Http404("Không tìm thấy hồ sơ.")
        try:
            return view(request, *args, **kwargs)
        except DossierNotFoundError as error:
            raise Http404(error.message) from error

    return never_cache(wrapper)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _key(dossier: Dossier) -> str:
    return dossier.code or str(dossier.reference)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # an unreadable form is as stale as an old one


def _rating(dossier: Dossier) -> DossierRating | None:
    try:
        return dossier.rating
    except DossierRating.DoesNotExist:
        return None


def _tag(dossier: Dossier) -> tuple[str, str]:
    return STATUS_TAGS.get(dossier.status, (dossier.get_status_display(), "grey"))


@dataclass(frozen=True)
class Expected:
    """What the list says is expected of the applicant now, in a few words."""

    text: str
    urgent: bool = False


def _expected(dossier: Dossier, step: NextStep, rated: bool) -> Expected:
    if step.action == "supplement":
        return Expected("Cần bổ sung giấy tờ", urgent=True)
    if step.action == "pay":
        return Expected("Nộp nghĩa vụ tài chính", urgent=True)
    if step.action == "download":
        return Expected("Tải kết quả", urgent=True)
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return Expected("Đã gửi bổ sung, chờ cán bộ kiểm tra")
    if dossier.status == Status.RESULT_READY and dossier.return_method == ReturnMethod.COUNTER:
        return Expected("Đến nơi tiếp nhận để nhận kết quả", urgent=True)
    if dossier.status == Status.RESULT_READY and dossier.return_method == ReturnMethod.POSTAL:
        return Expected("Chờ nhận kết quả qua bưu điện")
    if dossier.status in RATEABLE and not rated:
        return Expected("Đánh giá việc giải quyết")
    if dossier.status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING):
        return Expected("Chờ cơ quan giải quyết")
    return Expected("")


@citizen_page
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    open_supplements = SupplementRequest.objects.filter(
        completed_at__isnull=True, superseded=False
    ).order_by("requested_at", "pk")
    dossiers = (
        my_dossiers(actor=user)
        .select_related("rating")
        .prefetch_related(Prefetch("supplements", open_supplements, to_attr="open_supplements"))
    )
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    now = timezone.now()
    rows = []
    for dossier in page:
        waiting = dossier.open_supplements
        supplement = (
            waiting[-1] if waiting and dossier.status == Status.SUPPLEMENT_REQUESTED else None
        )
        tag, colour = _tag(dossier)
        rows.append(
            {
                "dossier": dossier,
                "key": _key(dossier),
                "tag": tag,
                "colour": colour,
                "expected": _expected(
                    dossier,
                    next_step(dossier=dossier, supplement=supplement),
                    _rating(dossier) is not None,
                ),
                "supplement": supplement,
                "overdue": is_overdue(dossier, now),
            }
        )
    drafts = (
        DossierDraft.objects.filter(owner_id=user.pk).select_related("procedure")
        if page.number == 1
        else DossierDraft.objects.none()
    )
    return render(
        request, "portal/mine/list.html", {"page": page, "rows": rows, "drafts": list(drafts)}
    )


def _component_names(dossier: Dossier) -> dict[str, str]:
    content = dossier.procedure_revision.content
    return {document["code"]: document["name"] for document in content.get("documents", [])}


def _handed_in(document: DossierDocument, user: User) -> bool:
    """A paper of the applicant's dossier, as they handed it in: uploaded by them, sent with the
    dossier from the national portal, or scanned from their paper at the desk (not the
    agencies' own working files, nor the result)."""
    return not document.is_result and (
        document.uploaded_by_id in (None, user.pk) or document.digitised
    )


def _result_out(dossier: Dossier) -> bool:
    return dossier.status in (Status.RESULT_READY, Status.RETURNED)


def _downloadable(document: DossierDocument, dossier: Dossier, user: User) -> bool:
    if document.is_result:
        return _result_out(dossier)
    return _handed_in(document, user)


def _returns_on_download(document: DossierDocument, dossier: Dossier) -> bool:
    """Downloading an electronic result the applicant has not had yet returns it (DOMAIN §3:
    result_ready → returned by the applicant's download)."""
    return (
        document.is_result
        and dossier.status == Status.RESULT_READY
        and dossier.return_method == ReturnMethod.ONLINE
    )


@citizen_page
@require_GET
def dossier_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    dossier = dossier_get(actor=user, key=key)
    supplement = (
        open_supplement_of(dossier) if dossier.status == Status.SUPPLEMENT_REQUESTED else None
    )
    actions = {rule.action for rule in actions_available(actor=user, dossier=dossier)}
    names = _component_names(dossier)
    documents = list(dossier.documents.order_by("uploaded_at", "pk"))
    for document in documents:
        document.component_name = names.get(document.component, "Giấy tờ khác")  # type: ignore[attr-defined]
    rating = _rating(dossier)
    tag, colour = _tag(dossier)
    return render(
        request,
        "portal/mine/detail.html",
        {
            "dossier": dossier,
            "key": _key(dossier),
            "tag": tag,
            "colour": colour,
            # Read from the clock, as the desk and the leaders' figures read it.
            "overdue": is_overdue(dossier, timezone.now()),
            "step": next_step(dossier=dossier, supplement=supplement),
            "supplement": supplement,
            "timeline": citizen_timeline(dossier=dossier),
            "papers": [d for d in documents if _handed_in(d, user)],
            "results": [d for d in documents if d.is_result] if _result_out(dossier) else [],
            "returns_on_download": dossier.status == Status.RESULT_READY
            and dossier.return_method == ReturnMethod.ONLINE,
            "can_withdraw": Action.WITHDRAW in actions,
            "rating": rating,
            "rateable": rating is None and dossier.status in RATEABLE,
        },
    )


def _serve(document: DossierDocument) -> HttpResponseBase:
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Không tìm thấy tệp.") from error
    response = FileResponse(
        stream, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@citizen_page
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, key: str, document: str) -> HttpResponseBase:
    """A file of the applicant's dossier. The first download of an electronic result is a POST
    (the button on the dossier's page): it returns the result, once; later ones just serve it."""
    user = _user(request)
    found = document_get(actor=user, key=key, document_uuid=document)
    dossier = found.dossier
    if not _downloadable(found, dossier, user):
        raise DossierNotFoundError
    if not _returns_on_download(found, dossier):
        return _serve(found)
    context = {"dossier": dossier, "key": _key(dossier), "document": found}
    if request.method == "GET":
        return render(request, "portal/mine/result.html", context)
    try:
        dossier_perform(
            key=_key(dossier), action=Action.RETURN_RESULT, actor=user, version=_version(request)
        )
    except StaleVersionError:
        dossier.refresh_from_db()
        if dossier.status != Status.RETURNED:
            return render(
                request,
                "portal/mine/result.html",
                {**context, "errors": [{"field": "", "text": STALE}]},
                status=409,
            )
    except DomainError as error:
        return render(
            request,
            "portal/mine/result.html",
            {**context, "errors": [{"field": "", "text": error.message}]},
            status=409,
        )
    return _serve(found)


@citizen_page
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    page = Paginator(my_documents(actor=_user(request)), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    rows = []
    for document in page:
        if document.is_result:
            kind = "Kết quả giải quyết"
        elif document.digitised:
            kind = "Số hóa tại quầy"
        else:
            kind = "Bạn tự tải lên"
        rows.append({"document": document, "kind": kind, "key": _key(document.dossier)})
    return render(request, "portal/mine/documents.html", {"page": page, "rows": rows})


@citizen_page
@require_GET
def document_download(request: HttpRequest, document: str) -> HttpResponseBase:
    try:
        wanted = uuid.UUID(document)
    except ValueError:
        raise DossierNotFoundError from None
    found = my_documents(actor=_user(request)).filter(uuid=wanted).first()
    if found is None:
        raise DossierNotFoundError
    if _returns_on_download(found, found.dossier):
        # The result is not the applicant's yet: its dossier's page hands it over.
        return redirect("portal:my_download", key=_key(found.dossier), document=str(found.uuid))
    return _serve(found)


# Answering a supplement request.


def _component_choices(dossier: Dossier) -> list[tuple[str, str]]:
    return [*_component_names(dossier).items(), (OTHER_PAPER, "Giấy tờ khác")]


def _problems(context: dict[str, Any], problems: dict[str, str]) -> None:
    """Problems by field: the error summary's lines, each linking to its field, and the
    message beside each field."""
    context["errors"] = [{"field": field, "text": text} for field, text in problems.items()]
    context["field_errors"] = problems


def _problem(context: dict[str, Any], text: str) -> None:
    """A problem with the whole page rather than a field (a stale page, a closed action)."""
    context["errors"] = [{"field": "", "text": text}]


@citizen_page
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, key: str) -> HttpResponse:
    """Upload what was asked (as many times as needed), check, then send: the officer who asked
    decides whether it is complete (the clock stays stopped until then)."""
    user = _user(request)
    dossier = dossier_get(actor=user, key=key)
    asked = open_supplement_of(dossier) if dossier.status == Status.SUPPLEMENT_REQUESTED else None
    context: dict[str, Any] = {"dossier": dossier, "key": _key(dossier), "asked": asked}
    if asked is None:
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/supplement_none.html", context, status=status)
    added = list(
        dossier.documents.filter(uploaded_by_id=user.pk, uploaded_at__gt=asked.requested_at)
        .exclude(is_result=True)
        .order_by("uploaded_at", "pk")
    )
    names = _component_names(dossier)
    for document in added:
        document.component_name = names.get(document.component, "Giấy tờ khác")  # type: ignore[attr-defined]
    context.update(
        added=added,
        choices=_component_choices(dossier),
        max_mb=settings.MOTCUA_UPLOAD_MAX_MB,
        max_files=MAX_FILES_AT_ONCE,
        # At intake the desk takes the completed dossier in itself; in processing the
        # applicant tells the officer who asked (submit_supplement).
        can_send=any(
            rule.action == Action.SUBMIT_SUPPLEMENT
            for rule in actions_available(actor=user, dossier=dossier)
        ),
    )
    if asked.answered_at is not None:
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/supplement_sent.html", context, status=status)
    if request.method == "GET":
        template = (
            "portal/mine/supplement_check.html"
            if request.GET.get("buoc") == "kiem-tra"
            else "portal/mine/supplement.html"
        )
        return render(request, template, context)
    if request.POST.get("buoc") == "gui":
        return _supplement_send(request, dossier, context)
    return _supplement_upload(request, dossier, context)


def _supplement_upload(
    request: HttpRequest, dossier: Dossier, context: dict[str, Any]
) -> HttpResponse:
    user = _user(request)
    component = request.POST.get("thanh_phan", "")
    files = request.FILES.getlist("tep")
    problems = {}
    if component not in {code for code, _ in context["choices"]}:
        problems["thanh_phan"] = "Chọn loại giấy tờ bạn tải lên."
    if not files:
        problems["tep"] = (
            f"Chọn tệp để tải lên: PDF, JPEG, PNG, DOCX, XLSX hoặc XML, mỗi tệp tối đa "
            f"{context['max_mb']} MB."
        )
    elif len(files) > MAX_FILES_AT_ONCE:
        problems["tep"] = f"Mỗi lần tải lên tối đa {MAX_FILES_AT_ONCE} tệp."
    context["component"] = component if component in dict(context["choices"]) else ""
    if problems:
        _problems(context, problems)
        return render(request, "portal/mine/supplement.html", context, status=422)
    if _version(request) != dossier.version:
        _problem(context, STALE)
        return render(request, "portal/mine/supplement.html", context, status=409)
    saved = []
    for upload in files:
        try:
            saved.append(
                document_attach(
                    actor=user,
                    key=_key(dossier),
                    stream=cast(IO[bytes], upload),
                    name=upload.name or "",
                    size=upload.size or 0,
                    component="" if component == OTHER_PAPER else component,
                )
            )
        except DomainError as error:
            names = _component_names(dossier)
            for document in saved:
                document.component_name = names.get(document.component, "Giấy tờ khác")  # type: ignore[attr-defined]
            shown = clean_text(upload.name or "")[:100]
            _problems(context, {"tep": f"{shown}: {error.message}"})
            context["added"] = [*context["added"], *saved]
            status = 403 if isinstance(error, NotAllowedError) else 422
            return render(request, "portal/mine/supplement.html", context, status=status)
    messages.success(request, "Đã tải lên: " + ", ".join(document.name for document in saved) + ".")
    return redirect("portal:my_supplement", key=_key(dossier))


def _supplement_send(
    request: HttpRequest, dossier: Dossier, context: dict[str, Any]
) -> HttpResponse:
    note = clean_text(request.POST.get("ghi_chu", "")[: MAX_NOTE * 2])
    context["note"] = note
    template = "portal/mine/supplement_check.html"
    if not context["can_send"]:
        _problem(context, "Bộ phận Một cửa sẽ tự kiểm tra giấy tờ bạn đã tải lên.")
        return render(request, template, context, status=409)
    problems = {}
    if len(note) > MAX_NOTE:
        problems["ghi_chu"] = f"Ghi chú tối đa {MAX_NOTE:,} ký tự.".replace(",", ".")
    elif not context["added"] and not note:
        problems["ghi_chu"] = (
            "Hãy tải lên giấy tờ được yêu cầu, hoặc ghi chú cho cán bộ, trước khi gửi bổ sung."
        )
    if problems:
        _problems(context, problems)
        return render(request, template, context, status=422)
    try:
        dossier_perform(
            key=_key(dossier),
            action=Action.SUBMIT_SUPPLEMENT,
            actor=_user(request),
            version=_version(request),
            note=note,
        )
    except StaleVersionError:
        dossier.refresh_from_db()
        _problem(context, STALE)
        return render(request, template, context, status=409)
    except DomainError as error:
        _problem(context, error.message)
        return render(request, template, context, status=409)
    return redirect("portal:my_supplement", key=_key(dossier))


@citizen_page
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    dossier = dossier_get(actor=user, key=key)
    context: dict[str, Any] = {"dossier": dossier, "key": _key(dossier), "max_reason": MAX_REASON}
    if dossier.status == Status.WITHDRAWN:
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/withdraw_done.html", context, status=status)
    allowed = any(
        rule.action == Action.WITHDRAW for rule in actions_available(actor=user, dossier=dossier)
    )
    if not allowed:
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/withdraw_closed.html", context, status=status)
    if request.method == "GET":
        return render(request, "portal/mine/withdraw.html", context)
    reason = clean_text(request.POST.get("ly_do", "")[: MAX_REASON * 2])
    context["reason"] = reason
    problem = ""
    if not reason:
        problem = "Nhập lý do rút hồ sơ."
    elif len(reason) > MAX_REASON:
        problem = f"Lý do tối đa {MAX_REASON:,} ký tự.".replace(",", ".")
    if problem:
        _problems(context, {"ly_do": problem})
        return render(request, "portal/mine/withdraw.html", context, status=422)
    try:
        dossier_perform(
            key=_key(dossier),
            action=Action.WITHDRAW,
            actor=user,
            version=_version(request),
            note=reason,
        )
    except StaleVersionError:
        dossier.refresh_from_db()
        _problem(context, STALE)
        return render(request, "portal/mine/withdraw.html", context, status=409)
    except DomainError as error:
        _problem(context, error.message)
        return render(request, "portal/mine/withdraw.html", context, status=409)
    return redirect("portal:my_withdraw", key=_key(dossier))


@citizen_page
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, key: str) -> HttpResponse:
    """TT 01/2018's four questions for the citizen, once per dossier, then thanks."""
    user = _user(request)
    dossier = dossier_get(actor=user, key=key)
    context: dict[str, Any] = {
        "dossier": dossier,
        "key": _key(dossier),
        "max_comment": MAX_COMMENT,
        "questions": _questions({}, {}),
    }
    rating = _rating(dossier)
    if rating is not None:
        context["rating"] = rating
        context["answers"] = _answers(rating)
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/rate_done.html", context, status=status)
    if dossier.status not in RATEABLE:
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/mine/rate_closed.html", context, status=status)
    if request.method == "GET":
        return render(request, "portal/mine/rate.html", context)
    scores = {name: request.POST.get(name, "")[:4] for name in INDICATORS}
    comment = request.POST.get("gop_y", "")[: MAX_COMMENT * 2]
    context.update(questions=_questions(scores, {}), comment=comment)
    try:
        dossier_rate(actor=user, key=_key(dossier), scores=scores, comment=comment)
    except DomainError as error:
        if error.fields:
            # Each unanswered question named, so the summary's lines tell them apart.
            legends = {name: legend for name, legend, _ in QUESTIONS}
            problems = {
                field: f"Chọn câu trả lời cho “{legends[field]}”." if field in legends else text
                for field, text in error.fields.items()
            }
            _problems(
                context,
                {
                    field if field in INDICATORS else "gop_y": text
                    for field, text in problems.items()
                },
            )
            context["questions"] = _questions(scores, problems)
            return render(request, "portal/mine/rate.html", context, status=422)
        _problem(context, error.message)
        return render(request, "portal/mine/rate.html", context, status=409)
    return redirect("portal:my_rate", key=_key(dossier))


def _questions(chosen: dict[str, str], problems: dict[str, str]) -> list[dict[str, Any]]:
    """The questions as the form shows them: the answer chosen so far and the problem, if
    any, with each."""
    return [
        {
            "name": name,
            "legend": legend,
            "options": options,
            "chosen": chosen.get(name, ""),
            "error": problems.get(name, ""),
        }
        for name, legend, options in QUESTIONS
    ]


def _answers(rating: DossierRating) -> list[tuple[str, str]]:
    """The rating as the questions and the answers given."""
    return [
        (legend, dict(options).get(getattr(rating, name), ""))
        for name, legend, options in QUESTIONS
    ]
