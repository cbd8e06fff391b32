"""Counter intake pages: find the procedure, then one form for the applicant, the scanned
papers, the e-form and the desk's decision. The engine's `counter_intake` does it all in one
transaction; these views parse and render.

A form sent with a mistake comes back with everything typed, the scans held for it
(`services.scan_hold`, shown as "Đã đính kèm", each replaceable or removable) and a summary
of what to fix at the top, linking to each field. The ward is picked by name among the
desk's province's wards (`intake_wards`), never typed as a code."""

import json
import re
import uuid
from contextlib import ExitStack
from typing import IO, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from egov.catalog.selectors import procedure_in_force
from egov.core.errors import DomainError
from egov.core.files import check_upload
from egov.core.text import fold
from egov.dossiers.models import Gender
from egov.dossiers.printing.formatting import street_only
from egov.dossiers.selectors import applicant_from_earlier, procedures_for_desk
from egov.dossiers.services import Applicant, IntakeFile, Submitter, counter_intake
from egov.interop.services.population import person_lookup
from egov.orgs.models import Role
from egov.orgs.selectors import memberships_of, ward_get, ward_search

from .forms import CounterIntakeForm, eform_answers, eform_fields
from .selectors import scans_held
from .services import scan_hold, scans_release
from .views import SESSION_AGENCY, staff_only

# In the page's order: two columns on a wide screen, so the ward sits by the street.
APPLICANT_FIELDS = [
    "id_number",
    "full_name",
    "date_of_birth",
    "gender",
    "applicant_type",
    "phone",
    "email",
    "tax_code",
    "submitter_name",
    "ward_name",
    "street",
]
DECISION_FIELDS = ["return_method", "decision", "note", "desk"]
# Where the engine's problems ("applicant.id_number") show on this form.
FIELD_OF_PLACE = {
    "applicant.type": "applicant_type",
    "applicant.full_name": "full_name",
    "applicant.id_number": "id_number",
    "applicant.birth_date": "date_of_birth",
    "applicant.gender": "gender",
    "applicant.tax_code": "tax_code",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "applicant.street": "street",
    "applicant.ward_code": "ward_name",
}
# Engine refusals without a field that one input of this form answers.
FIELD_OF_CODE = {
    "commune_required": "ward_name",
    "reason_required": "note",
    "bad_decision": "decision",
    "not_postal_return": "return_method",
    "bad_channel": "return_method",
}
TOKEN = re.compile(r"[0-9a-f]{32}")
# The intake forms already handled in this session: a double click makes one dossier.
SESSION_DONE = "desk_intake_done"
DONE_TO_PRINT = {"receive": "01", "request_supplement": "02", "refuse": "03"}
DONE_MESSAGE = {
    "receive": "Đã tiếp nhận",
    "request_supplement": "Đã yêu cầu bổ sung",
    "refuse": "Đã từ chối tiếp nhận",
}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def intake_start(request: HttpRequest) -> HttpResponse:
    """Find the procedure: accent-insensitive search, as on the portal."""
    staff_only(request)
    query = request.GET.get("q", "")[:200]
    procedures = procedures_for_desk(actor=request.user, query=query) if query else []
    partial = request.headers.get("HX-Request") == "true"
    template = "desk/_intake_procedures.html" if partial else "desk/intake_start.html"
    return render(request, template, {"query": query, "procedures": procedures})


@login_required
@require_POST
def intake_applicant(request: HttpRequest) -> HttpResponse:
    """The applicant's details from their latest dossier at this officer's desk, by personal
    ID (htmx; a POST, so the number stays out of the logs)."""
    staff_only(request)
    earlier = applicant_from_earlier(
        actor=request.user, id_number=request.POST.get("id_number", "")
    )
    return render(request, "desk/_intake_earlier.html", {"earlier": earlier})


@login_required
@require_POST
def intake_population(request: HttpRequest) -> HttpResponse:
    """The citizen with this personal ID in the National Population Database, to fill the
    form (htmx; a POST, so the number stays out of the logs). For reception officers; the
    partner's refusals and failures show as their Vietnamese message. The dossier is marked
    verified at submission by the engine, whatever this answered."""
    staff_only(request)
    if not _desks(request):
        raise PermissionDenied("Chỉ cán bộ tiếp nhận được tra cứu CSDL quốc gia về dân cư.")
    try:
        person = person_lookup(actor=request.user, id_number=request.POST.get("id_number", ""))
    except DomainError as error:
        return render(request, "desk/_intake_population.html", {"error": error.message})
    fill = {
        "full_name": person.full_name,
        "date_of_birth": person.birth_date.isoformat(),
        "gender": person.gender,
        "ward_code": person.ward_code or "",
        # The database writes the residence whole; the form's street is the house and
        # street only, beside the ward chosen by its code (else Mẫu 01 repeats them).
        "street": street_only(person.street, person.ward_code),
    }
    return render(
        request,
        "desk/_intake_population.html",
        {
            "person": person,
            "gender": Gender(person.gender).label,
            "fill": json.dumps(fill, ensure_ascii=False),
        },
    )


def _desks(request: HttpRequest) -> list[Any]:
    return [
        membership.agency
        for membership in memberships_of(user=request.user)
        if membership.role == Role.RECEPTION
    ]


def _province_code(desks: list[Any]) -> int | None:
    """The province whose wards the form offers: the desk's (one deployment, one province)."""
    return desks[0].province_code if desks else None


@login_required
@require_GET
def intake_wards(request: HttpRequest) -> HttpResponse:
    """The ward picker's choices (htmx): the province's wards whose name holds what was
    typed (`ward_name`), accents or not, as buttons that choose one; or the one ward with a
    national code (`code`), when the form is filled from the population database or an
    earlier dossier."""
    staff_only(request)
    province = _province_code(_desks(request))
    code = request.GET.get("code", "")[:9]
    query = "" if code else request.GET.get("ward_name", "")[:120]
    wards = []
    if province is not None and code.isdigit():
        found = ward_get(province_code=province, code=int(code))
        wards = [found] if found is not None else []
    elif province is not None and query.strip():
        wards = ward_search(province_code=province, query=query)
    return render(
        request,
        "desk/_intake_wards.html",
        {"wards": wards, "query": query.strip(), "by_code": bool(code)},
    )


def _form(
    request: HttpRequest, procedure: Any, desks: list[Any], documents: list[dict[str, Any]]
) -> tuple[CounterIntakeForm, list[str]]:
    """The form as sent (or a new one), and the components whose held scan the officer
    asked to remove ("Bỏ tệp này": done now, so the tick does not come back ticked)."""
    data: QueryDict | None = None
    dropped: list[str] = []
    if request.method == "POST":
        data = request.POST.copy()
        if not TOKEN.fullmatch(data.get("token", "")):
            # A form without its token (tampered with): a new one, so its scans have a home.
            data["token"] = uuid.uuid4().hex
        dropped = [
            document["code"] for document in documents if data.pop(f"drop_{document['code']}", None)
        ]
    form = CounterIntakeForm(data, province_code=_province_code(desks), documents=documents)
    form.add_eform(eform_fields(procedure.form_schema))
    desk_field = form.fields["desk"]
    assert isinstance(desk_field, forms.ChoiceField)  # noqa: S101 - declared so in the form
    desk_field.choices = [(desk.code, desk.name) for desk in desks]
    chosen = request.session.get(SESSION_AGENCY)
    form.fields["desk"].initial = next(
        (desk.code for desk in desks if desk.pk == chosen), desks[0].code if desks else None
    )
    if data is None:
        form.fields["token"].initial = uuid.uuid4().hex
    # The look-ups as the officer types: the applicant's earlier dossier at this desk, and
    # the wards of the province by name (htmx; the form works without them).
    form.fields["id_number"].widget.attrs.update(
        {
            "inputmode": "numeric",
            "autocomplete": "off",
            "hx-post": reverse("desk:intake_applicant"),
            "hx-trigger": "keyup changed delay:400ms",
            "hx-target": "#nguoi-nop-truoc",
            "hx-include": "this",
            "hx-params": "id_number",
            "hx-headers": json.dumps({"X-CSRFToken": get_token(request)}),
        }
    )
    form.fields["ward_name"].widget.attrs.update(
        {
            "autocomplete": "off",
            "class": "ward-search",
            "aria-controls": "ward-results",
            "hx-get": reverse("desk:intake_wards"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": "#ward-results",
            "hx-params": "ward_name",
            "hx-sync": "this:replace",
        }
    )
    return form, dropped


def _checked_uploads(
    request: HttpRequest, documents: list[dict[str, Any]], problems: dict[str, list[str]]
) -> dict[str, UploadedFile]:
    """The scans sent with this try, by component, that pass the upload checks; a bad one
    becomes its component's problem."""
    uploads: dict[str, UploadedFile] = {}
    max_bytes = settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    for document in documents:
        upload = request.FILES.get(f"doc_{document['code']}")
        if upload is None:
            continue
        try:
            check_upload(upload, name=upload.name or "", size=upload.size or 0, max_bytes=max_bytes)
        except DomainError as error:
            problems.setdefault(document["code"], []).append(f"{document['name']}: {error.message}")
        else:
            uploads[document["code"]] = upload
    return uploads


def _place(
    form: CounterIntakeForm,
    documents: list[dict[str, Any]],
    problems: dict[str, list[str]],
    error: DomainError,
) -> str:
    """The engine's refusal shown where it belongs: each field's problem next to the field,
    each paper's on its component; returns the refusal's own message when it was shown that
    way (the summary's opening line), else "" (it is a problem of the form as a whole)."""
    codes = {document["code"] for document in documents}
    placed = False
    for place, problem in error.fields.items():
        group, _, name = place.partition(".")
        if group == "documents" and name in codes:
            problems.setdefault(name, []).append(problem)
        elif group == "form_data" and f"f_{name}" in form.fields:
            form.add_error(f"f_{name}", problem)
        elif place in FIELD_OF_PLACE:
            form.add_error(FIELD_OF_PLACE[place], problem)
        else:
            form.add_error(None, problem)
        placed = True
    field = FIELD_OF_CODE.get(error.code)
    if placed:
        return error.message
    form.add_error(field, error.message)
    return ""


def _hold(
    request: HttpRequest,
    procedure: Any,
    token: str,
    uploads: dict[str, UploadedFile],
    problems: dict[str, list[str]],
    names: dict[str, str],
) -> None:
    """Keep this try's good scans for the form's next try."""
    for code, upload in uploads.items():
        upload.seek(0)
        try:
            scan_hold(
                actor=request.user,  # type: ignore[arg-type]
                token=token,
                procedure_code=procedure.national_code,
                component=code,
                stream=upload,
                name=upload.name or "",
                size=upload.size or 0,
            )
        except DomainError as error:
            problems.setdefault(code, []).append(f"{names[code]}: {error.message}")


def _summary(
    form: CounterIntakeForm, documents: list[dict[str, Any]], problems: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """What to fix, in the page's order, each with the address of its input."""
    items: list[tuple[str, str]] = []

    def add(name: str) -> None:
        if name not in form.fields:
            return
        field = form[name]
        target = f"{field.auto_id}_0" if name == "decision" else field.auto_id
        items.extend((f"#{target}", _named(str(field.label), str(error))) for error in field.errors)

    for name in APPLICANT_FIELDS:
        add(name)
    for document in documents:
        items.extend(
            (f"#doc_{document['code']}", problem) for problem in problems.get(document["code"], [])
        )
    for name in form.fields:
        if name.startswith("f_"):
            add(name)
    for name in DECISION_FIELDS:
        add(name)
    return items


def _named(label: str, message: str) -> str:
    """The summary's line: the message alone when it names its field ("Số định danh cá nhân
    phải gồm đúng 12 chữ số."), else after the field's name."""
    name = fold(label.split("(")[0])
    return message if name and name in fold(message) else f"{label}: {message}"


def _describe(form: CounterIntakeForm) -> None:
    """The ward's input points at its hint (and at its error, when it has one)."""
    described = ["ward-hint", "ward-chosen"]
    if form.is_bound and form["ward_name"].errors:
        described.append(f"{form['ward_name'].auto_id}_error")
    form.fields["ward_name"].widget.attrs["aria-describedby"] = " ".join(described)
    if form.is_bound and form.ward is not None and isinstance(form.data, QueryDict):
        # Shown as chosen: the ward's name in the search box, its code in the hidden input.
        form.data._mutable = True
        form.data["ward_name"] = form.ward.name
        form.data["ward_code"] = str(form.ward.code)
        form.data._mutable = False


@login_required
def intake_form(request: HttpRequest, national_code: str) -> HttpResponse:
    staff_only(request)
    try:
        procedure = procedure_in_force(national_code=national_code)
    except DomainError as error:
        raise Http404(error.message) from error
    documents = procedure.revisions.get(version=procedure.version).content["documents"]
    names = {document["code"]: document["name"] for document in documents}
    desks = _desks(request)
    form, dropped = _form(request, procedure, desks, documents)
    problems: dict[str, list[str]] = {}
    intro = ""
    held = {}
    if request.method == "POST":
        token = form.data["token"]
        if dropped and desks:
            scans_release(
                actor=request.user,  # type: ignore[arg-type]
                token=token,
                procedure_code=procedure.national_code,
                components=dropped,
            )
        uploads = _checked_uploads(request, documents, problems)
        if form.is_valid() and not problems:
            done = request.session.get(SESSION_DONE, {})
            if token in done:  # the same form sent twice: show what the first made
                return redirect(reverse("desk:dossier", args=[done[token]]))
            held = scans_held(
                actor=request.user, token=token, procedure_code=procedure.national_code
            )
            try:
                dossier = _submit(request, procedure, form, documents, uploads, held)
            except DomainError as error:
                intro = _place(form, documents, problems, error)
            else:
                scans_release(
                    actor=request.user,  # type: ignore[arg-type]
                    token=token,
                    procedure_code=procedure.national_code,
                )
                key = dossier.code or str(dossier.reference)
                request.session[SESSION_DONE] = {**done, token: key}
                decision = form.cleaned_data["decision"]
                messages.success(
                    request,
                    f"{DONE_MESSAGE[decision]} hồ sơ {dossier.code or ''}. "
                    "Hãy in phiếu cho người nộp.",
                )
                page = reverse("desk:dossier", args=[key])
                return redirect(f"{page}?in={DONE_TO_PRINT[decision]}")
        if desks:
            _hold(request, procedure, token, uploads, problems, names)
        held = scans_held(actor=request.user, token=token, procedure_code=procedure.national_code)
    _describe(form)
    summary = _summary(form, documents, problems) if form.is_bound else []
    return render(
        request,
        "desk/intake_form.html",
        {
            "procedure": procedure,
            "form": form,
            "applicant_fields": [form[name] for name in APPLICANT_FIELDS],
            "eform": [form[name] for name in form.fields if name.startswith("f_")],
            "papers": [
                {
                    "code": document["code"],
                    "name": document["name"],
                    "mandatory": document.get("mandatory", True),
                    "held": held.get(document["code"]),
                    "problems": problems.get(document["code"], []),
                    "original": form[f"original_{document['code']}"],
                    "drop": form[f"drop_{document['code']}"],
                }
                for document in documents
            ],
            "several_desks": len(desks) > 1,
            "summary": summary,
            "summary_intro": intro,
            "failed": form.is_bound,
        },
    )


def _submit(
    request: HttpRequest,
    procedure: Any,
    form: CounterIntakeForm,
    documents: list[dict[str, Any]],
    uploads: dict[str, UploadedFile],
    held: dict[str, Any],
) -> Any:
    """Call the engine with this try's scans, and the held ones of the components this try
    did not send again."""
    data = form.cleaned_data
    with ExitStack() as stack:
        files = []
        for document in documents:
            code = document["code"]
            if code in uploads:
                upload = uploads[code]
                upload.seek(0)
                stream: IO[bytes] = upload
                name, size = upload.name or "", upload.size or 0
            elif code in held:
                try:
                    stream = stack.enter_context(held[code].file.open("rb"))
                except OSError:  # let go of meanwhile (the same form sent twice at once)
                    raise DomainError(
                        "Tệp đã đính kèm không còn giữ được.",
                        fields={f"documents.{code}": "Hãy đính kèm lại bản quét."},
                    ) from None
                name, size = held[code].name, held[code].size
            else:
                continue
            files.append(IntakeFile(component=code, stream=stream, name=name, size=size))
        return counter_intake(
            actor=request.user,  # type: ignore[arg-type]
            procedure_code=procedure.national_code,
            agency_code=data["desk"] or None,
            applicant=Applicant(
                type=data["applicant_type"],
                name=data["full_name"],
                id_number=data["id_number"],
                birth_date=data["date_of_birth"],
                gender=data["gender"],
                tax_code=data["tax_code"],
                phone=data["phone"],
                email=data["email"],
                ward_code=data["ward_code"],
                street=data["street"],
            ),
            return_method=data["return_method"],
            form_data=eform_answers(data, procedure.form_schema),
            submitter=Submitter(name=data["submitter_name"]) if data["submitter_name"] else None,
            files=files,
            decision=data["decision"],
            note=data["note"],
            items=[line.strip() for line in data["note"].splitlines() if line.strip()],
            originals_checked=[
                document["code"]
                for document in documents
                if data.get(f"original_{document['code']}")
            ],
        )
