"""Online submission as a guided form (GOV.UK patterns: one thing per page, an error summary,
check your answers). The answers live in a draft (`egov.dossiers.services.drafts`) so a person
on a slow connection can stop and come back; submitting hands the whole dossier to the
engine, which checks everything again and puts it in the desk's online intake queue.

Pages, in order: who applies (what VNeID verified is shown, not typed; contact and address
prefilled from the sign-in and the National Population Database through the bus), the
procedure's e-form (skipped when it has none), the papers (upload, or take one from "Giấy tờ
của tôi"), where to submit and how to receive the result, then check and submit.
"""

from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from egov.accounts.models import CitizenIdentity
from egov.accounts.selectors import citizen_identity
from egov.catalog.errors import ProcedureNotFoundError
from egov.catalog.forms import eform_answers, eform_fields
from egov.catalog.rules import form_data_problems
from egov.catalog.selectors import procedure_get
from egov.core.errors import DomainError
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.models import DossierDraft, ReturnMethod
from egov.dossiers.printing.formatting import street_only
from egov.dossiers.selectors.citizen import my_documents
from egov.dossiers.services import drafts
from egov.interop.services.population import person_self_lookup
from egov.orgs.policies import is_staff_member
from egov.orgs.selectors import communes, nearest_desk, service_desks

PAGES = ["nguoi-nop", "to-khai", "giay-to", "nhan-ket-qua", "kiem-tra"]
TITLES = {
    "nguoi-nop": "Thông tin người nộp",
    "to-khai": "Tờ khai",
    "giay-to": "Giấy tờ kèm theo",
    "nhan-ket-qua": "Nơi nộp và cách nhận kết quả",
    "kiem-tra": "Kiểm tra trước khi nộp",
}
# Where an engine error's field is answered, to link the summary to the right page.
FIELD_PAGES = {"applicant": "nguoi-nop", "form_data": "to-khai", "papers": "giay-to"}


def _sign_in(request: HttpRequest) -> HttpResponse:
    return redirect(
        reverse("accounts:vneid_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def citizen_only(view: Any) -> Any:
    """Signed-in citizens and organisations only: others sign in (VNeID) or go to the desk."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _sign_in(request)
        if is_staff_member(request.user) or citizen_identity(request.user) is None:
            return render(request, "portal/mine/staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _pages_of(draft: DossierDraft) -> list[str]:
    if draft.procedure.form_schema.get("fields"):
        return PAGES
    return [page for page in PAGES if page != "to-khai"]


@dataclass
class Problem:
    field: str
    text: str


def _problems(form: forms.Form) -> list[Problem]:
    return [
        Problem(field=f"id_{name}" if name != "__all__" else "", text=str(error))
        for name, errors in form.errors.items()
        for error in errors
    ]


# ----------------------------------------------------------------------------- start


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, national_code: str) -> HttpResponseBase:
    """What the person will need, and the button that starts (or resumes) a draft."""
    try:
        procedure = procedure_get(national_code=national_code[:20])
    except ProcedureNotFoundError as error:
        raise Http404(error.message) from error
    identity = citizen_identity(request.user) if request.user.is_authenticated else None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return _sign_in(request)
        if identity is None:
            return render(request, "portal/mine/staff.html", status=403)
        try:
            draft = drafts.draft_start(actor=_user(request), procedure_code=national_code)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("portal:submit_start", national_code=procedure.national_code)
        return redirect("portal:draft_page", draft=draft.uuid, page="nguoi-nop")
    open_drafts = (
        DossierDraft.objects.filter(owner_id=request.user.pk, procedure=procedure)
        if identity is not None
        else DossierDraft.objects.none()
    )
    return render(
        request,
        "portal/submit/start.html",
        {
            "procedure": procedure,
            "identity": identity,
            "signed_in": request.user.is_authenticated,
            "open_drafts": list(open_drafts[:5]),
        },
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # citizen_only let only signed-in people through


def _identity(request: HttpRequest) -> CitizenIdentity:
    identity = citizen_identity(request.user)
    if identity is None:  # citizen_only checked it; a role granted meanwhile ends here
        raise Http404("Không tìm thấy hồ sơ nháp.")
    return identity


def _draft(request: HttpRequest, draft: str) -> DossierDraft:
    try:
        return drafts.draft_get(actor=_user(request), draft_uuid=draft[:64])
    except DossierNotFoundError:
        raise Http404("Không tìm thấy hồ sơ nháp.") from None


@never_cache
@citizen_only
def resume(request: HttpRequest, draft: str) -> HttpResponseBase:
    """A draft opens where it is least done: the first page not answered yet."""
    found = _draft(request, draft)
    data = found.data
    for page in _pages_of(found):
        answered = {
            "nguoi-nop": "applicant" in data,
            "to-khai": "form_data" in data,
            "giay-to": data.get("papers_done"),
            "nhan-ket-qua": "return_method" in data,
        }.get(page, False)
        if not answered:
            return redirect("portal:draft_page", draft=found.uuid, page=page)
    return redirect("portal:draft_page", draft=found.uuid, page="kiem-tra")


@require_http_methods(["POST"])
@citizen_only
def delete(request: HttpRequest, draft: str) -> HttpResponseBase:
    found = _draft(request, draft)
    drafts.draft_delete(actor=_user(request), draft_uuid=str(found.uuid))
    messages.success(request, "Đã xóa hồ sơ nháp.")
    return redirect("portal:my_dossiers")


# ----------------------------------------------------------------------------- pages


class ApplicantForm(forms.Form):
    phone = forms.CharField(label="Số điện thoại di động", max_length=15)
    email = forms.EmailField(label="Thư điện tử (không bắt buộc)", required=False)
    ward_code = forms.TypedChoiceField(label="Xã, phường nơi cư trú", coerce=int, choices=[])
    street = forms.CharField(label="Số nhà, đường, ấp, khu phố", max_length=255)
    # Only for a level-1 sign-in, which proves no identity: the person types these.
    full_name = forms.CharField(label="Họ và tên", max_length=255, required=False)
    id_number = forms.CharField(label="Số định danh cá nhân", max_length=12, required=False)
    birth_date = forms.DateField(
        label="Ngày sinh", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _communes() -> list[tuple[int, str]]:
    return [
        (int(row.ward_code or 0), row.name.removeprefix("Ủy ban nhân dân ")) for row in communes()
    ]


def _prefill(request: HttpRequest, draft: DossierDraft) -> tuple[dict[str, Any], str]:
    """The contact and address to start from: what the draft has, else the sign-in, else
    the population database (level 2 only, the person's own record)."""
    identity = _identity(request)
    if draft.data.get("applicant"):
        return dict(draft.data["applicant"]), ""
    initial: dict[str, Any] = {
        "phone": identity.phone,
        "email": identity.email,
        "ward_code": identity.ward_code,
        "street": identity.address,
        "full_name": identity.full_name,
        "id_number": identity.id_number if identity.level >= 2 else "",
        "birth_date": identity.birth_date,
    }
    note = ""
    if identity.level >= 2 and identity.kind == "person":
        try:
            person = person_self_lookup(actor=_user(request))
        except DomainError as error:
            note = f"Chưa lấy được địa chỉ từ CSDL quốc gia về dân cư ({error.message})."
        else:
            initial["ward_code"] = person.ward_code or initial["ward_code"]
            # The database writes the residence whole; the ward is chosen apart, so the
            # street line keeps only its own part (else the forms print the ward twice).
            initial["street"] = street_only(person.street, person.ward_code) or initial["street"]
            note = "Địa chỉ thường trú lấy từ CSDL quốc gia về dân cư; bạn có thể sửa."
    return initial, note


def _page_applicant(request: HttpRequest, draft: DossierDraft) -> dict[str, Any]:
    identity = _identity(request)
    initial, note = _prefill(request, draft)
    form = ApplicantForm(request.POST if request.method == "POST" else None, initial=initial)
    cast(forms.ChoiceField, form.fields["ward_code"]).choices = [
        ("", "— Chọn xã, phường —"),
        *_communes(),
    ]
    typed = identity.level < 2 and identity.kind == "person"
    if not typed:
        for name in ("full_name", "id_number", "birth_date"):
            del form.fields[name]
    context: dict[str, Any] = {"form": form, "identity": identity, "note": note, "typed": typed}
    if request.method == "POST" and form.is_valid():
        answers = {**form.cleaned_data}
        if answers.get("birth_date"):
            answers["birth_date"] = answers["birth_date"].isoformat()
        context["save"] = {"applicant": answers}
    return context


def _page_eform(request: HttpRequest, draft: DossierDraft) -> dict[str, Any]:
    schema = draft.procedure.form_schema
    form = forms.Form(
        request.POST if request.method == "POST" else None, initial=_eform_initial(draft)
    )
    form.fields.update(eform_fields(schema))
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        answers = eform_answers(form.cleaned_data, schema)
        # The desk's own rule, before the draft keeps it.
        if problems := form_data_problems(schema, answers):
            for name, text in problems.items():
                field = f"f_{name.split('.')[-1]}"
                form.add_error(field if field in form.fields else None, text)
        else:
            context["save"] = {"form_data": answers}
    return context


def _eform_initial(draft: DossierDraft) -> dict[str, Any]:
    return {f"f_{name}": value for name, value in (draft.data.get("form_data") or {}).items()}


def _page_papers(request: HttpRequest, draft: DossierDraft) -> dict[str, Any]:
    """One component at a time is uploaded or taken from my documents; "Tiếp tục" checks
    every mandatory component has something."""
    actor = _user(request)
    documents = list(draft.procedure.documents.all())
    reuse: dict[str, list[str]] = {
        key: list(value) for key, value in (draft.data.get("reuse") or {}).items()
    }
    mine = list(my_documents(actor=actor)[:50])
    mine_by_uuid = {str(document.uuid): document for document in mine}
    errors: list[Problem] = []
    context: dict[str, Any] = {}
    if request.method == "POST":
        intent = request.POST.get("intent", "")
        component = request.POST.get("component", "")[:20]
        if intent == "upload":
            upload = request.FILES.get(f"file_{component}")
            if upload is None:
                errors.append(Problem(f"file_{component}", "Chọn tệp cần tải lên."))
            else:
                try:
                    drafts.draft_add_paper(
                        actor=actor,
                        draft_uuid=str(draft.uuid),
                        component=component,
                        stream=upload,
                        name=upload.name or "",
                        size=upload.size or 0,
                    )
                except DomainError as error:
                    errors.append(Problem(f"file_{component}", error.message))
        elif intent == "reuse":
            chosen = request.POST.get(f"reuse_{component}", "")
            if chosen not in mine_by_uuid or component not in {d.code for d in documents}:
                errors.append(Problem(f"reuse_{component}", "Chọn một giấy tờ trong danh sách."))
            else:
                reuse.setdefault(component, [])
                if chosen not in reuse[component]:
                    reuse[component].append(chosen)
                context["save"] = {"reuse": reuse}
        elif intent == "remove":
            try:
                drafts.draft_remove_paper(
                    actor=actor,
                    draft_uuid=str(draft.uuid),
                    paper_uuid=request.POST.get("paper", "")[:64],
                )
            except DossierNotFoundError:
                errors.append(Problem("", "Tệp này không còn trong hồ sơ nháp."))
        elif intent == "unreuse":
            chosen = request.POST.get("document", "")
            for component_reused in reuse.values():
                if chosen in component_reused:
                    component_reused.remove(chosen)
            context["save"] = {"reuse": {k: v for k, v in reuse.items() if v}}
        elif intent == "continue":
            uploaded = {paper.component for paper in draft.papers.all()}
            errors.extend(
                Problem(f"file_{document.code}", f"Cần nộp: {document.name}.")
                for document in documents
                if document.mandatory
                and document.code not in uploaded
                and not reuse.get(document.code)
            )
            if not errors:
                context["save"] = {"papers_done": True}
                context["advance"] = True
        if not context.get("advance") and not errors:
            context["stay"] = True
    papers = list(draft.papers.all())
    context.update(
        {
            "errors": errors,
            "components": [
                {
                    "document": document,
                    "papers": [p for p in papers if p.component == document.code],
                    "reused": [
                        mine_by_uuid[u] for u in reuse.get(document.code, []) if u in mine_by_uuid
                    ],
                }
                for document in documents
            ],
            "mine": mine,
        }
    )
    return context


class DeliveryForm(forms.Form):
    agency_code = forms.ChoiceField(label="Nộp hồ sơ tại", choices=[])
    return_method = forms.ChoiceField(
        label="Cách nhận kết quả", choices=ReturnMethod.choices, widget=forms.RadioSelect
    )


def _desks() -> list[tuple[str, str]]:
    return [(row.code, row.name) for row in service_desks()]


def _default_desk(draft: DossierDraft) -> str:
    ward = str((draft.data.get("applicant") or {}).get("ward_code") or "")
    return nearest_desk(
        ward_code=int(ward) if ward.isdigit() else None,
        commune_procedure=draft.procedure.competent_agency is None,
    )


def _page_delivery(request: HttpRequest, draft: DossierDraft) -> dict[str, Any]:
    procedure = draft.procedure
    form = DeliveryForm(
        request.POST or None,
        initial={
            "agency_code": draft.data.get("agency_code") or _default_desk(draft),
            "return_method": draft.data.get("return_method") or ReturnMethod.ONLINE,
        },
    )
    cast(forms.ChoiceField, form.fields["agency_code"]).choices = _desks()
    methods = [(ReturnMethod.ONLINE, "Nhận kết quả điện tử trên Cổng (tải về)")]
    methods.append((ReturnMethod.COUNTER, "Nhận trực tiếp tại nơi nộp hồ sơ"))
    if procedure.postal_return:
        methods.append((ReturnMethod.POSTAL, "Gửi qua bưu điện đến địa chỉ của tôi"))
    cast(forms.ChoiceField, form.fields["return_method"]).choices = methods
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        context["save"] = dict(form.cleaned_data)
    return context


def _page_of(field: str) -> str:
    return FIELD_PAGES.get(field.split(".")[0], "kiem-tra")


def _page_check(request: HttpRequest, draft: DossierDraft) -> dict[str, Any]:
    actor = _user(request)
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            dossier = drafts.draft_submit(actor=actor, draft_uuid=str(draft.uuid))
        except DomainError as error:
            fields = getattr(error, "fields", None) or {}
            context["errors"] = [Problem("", error.message)] + [
                Problem("", f"{text} (trang “{TITLES[_page_of(name)]}”)")
                for name, text in fields.items()
            ]
            context["status"] = 422
        else:
            context["submitted"] = dossier
            return context
    data = draft.data
    applicant = drafts.draft_applicant(actor=actor, draft=draft)
    schema_fields = {f["name"]: f for f in draft.procedure.form_schema.get("fields", [])}
    reuse = data.get("reuse") or {}
    reused_ids = {u for values in reuse.values() for u in values}
    context.update(
        {
            "applicant": applicant,
            "ward_name": dict(_communes()).get(applicant.ward_code or 0, ""),
            "answers": [
                (schema_fields.get(name, {}).get("label", name), value)
                for name, value in (data.get("form_data") or {}).items()
            ],
            "papers": list(draft.papers.all()),
            "reused": list(my_documents(actor=actor).filter(uuid__in=list(reused_ids)))
            if reused_ids
            else [],
            "desk": service_desks().filter(code=data.get("agency_code", "")).first(),
            "return_label": dict(ReturnMethod.choices).get(data.get("return_method", ""), ""),
            "fees": list(draft.procedure.fees.all()),
        }
    )
    return context


HANDLERS = {
    "nguoi-nop": _page_applicant,
    "to-khai": _page_eform,
    "giay-to": _page_papers,
    "nhan-ket-qua": _page_delivery,
    "kiem-tra": _page_check,
}


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_only
def page(request: HttpRequest, draft: str, page: str) -> HttpResponseBase:
    found = _draft(request, draft)
    pages = _pages_of(found)
    if page not in pages:
        raise Http404("Không có trang này.")
    context = HANDLERS[page](request, found)
    if (dossier := context.get("submitted")) is not None:
        messages.success(
            request,
            "Đã nộp hồ sơ. Bộ phận Một cửa sẽ kiểm tra và báo cho bạn mã hồ sơ, ngày hẹn trả.",
        )
        return redirect("portal:my_dossier", key=str(dossier.reference))
    if "save" in context:
        drafts.draft_save(actor=_user(request), draft_uuid=str(found.uuid), changes=context["save"])
    index = pages.index(page)
    if request.method == "POST" and page != "kiem-tra":
        form = context.get("form")
        valid = form.is_valid() if form is not None else context.get("advance", False)
        if valid and "save" in context and not context.get("stay"):
            # From the check page's "Sửa" links, back to the check page.
            target = "kiem-tra" if request.GET.get("sua") else pages[index + 1]
            return redirect("portal:draft_page", draft=found.uuid, page=target)
        if context.get("stay"):
            return redirect("portal:draft_page", draft=found.uuid, page=page)
    errors = context.get("errors")
    if errors is None and context.get("form") is not None and request.method == "POST":
        errors = _problems(context["form"])
    status = context.pop("status", 422 if request.method == "POST" and errors else 200)
    return render(
        request,
        f"portal/submit/{page}.html",
        {
            **context,
            "errors": errors or [],
            "draft": found,
            "procedure": found.procedure,
            "page": page,
            "title": TITLES[page],
            "step": index + 1,
            "steps": len(pages),
            "back": pages[index - 1] if index else "",
            "editing": bool(request.GET.get("sua")),
        },
        status=status,
    )
