"""Counter intake pages: find the procedure, then one form for the applicant, the scanned
papers, the e-form and the desk's decision. The engine's `counter_intake` does it all in one
transaction; these views parse and render."""

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from egov.catalog.selectors import procedure_in_force
from egov.core.errors import DomainError
from egov.dossiers.models import Gender
from egov.dossiers.selectors import applicant_from_earlier, procedures_for_desk
from egov.dossiers.services import Applicant, IntakeFile, Submitter, counter_intake
from egov.interop.services.population import person_lookup
from egov.orgs.models import Role
from egov.orgs.selectors import memberships_of

from .forms import CounterIntakeForm, eform_answers, eform_fields
from .views import SESSION_AGENCY, staff_only

APPLICANT_FIELDS = [
    "applicant_type",
    "id_number",
    "full_name",
    "date_of_birth",
    "gender",
    "tax_code",
    "phone",
    "email",
    "ward_code",
    "street",
    "submitter_name",
]
# Where the engine's problems ("applicant.id_number") show on this form.
FIELD_OF_PLACE = {
    "applicant.type": "applicant_type",
    "applicant.full_name": "full_name",
    "applicant.id_number": "id_number",
    "applicant.tax_code": "tax_code",
    "applicant.phone": "phone",
}
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
        "street": person.street,
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
        for membership in memberships_of(user=request.user).filter(role=Role.RECEPTION)
    ]


def _form(request: HttpRequest, procedure: Any, desks: list[Any]) -> CounterIntakeForm:
    form = CounterIntakeForm(request.POST or None, request.FILES or None)
    form.fields.update(eform_fields(procedure.form_schema))
    desk_field = form.fields["desk"]
    assert isinstance(desk_field, forms.ChoiceField)  # noqa: S101 - declared so in the form
    desk_field.choices = [(desk.code, desk.name) for desk in desks]
    chosen = request.session.get(SESSION_AGENCY)
    form.fields["desk"].initial = next(
        (desk.code for desk in desks if desk.pk == chosen), desks[0].code if desks else None
    )
    if not request.POST:
        form.fields["token"].initial = uuid.uuid4().hex
    return form


@login_required
def intake_form(request: HttpRequest, national_code: str) -> HttpResponse:
    staff_only(request)
    try:
        procedure = procedure_in_force(national_code=national_code)
    except DomainError as error:
        raise Http404(error.message) from error
    documents = procedure.revisions.get(version=procedure.version).content["documents"]
    desks = _desks(request)
    form = _form(request, procedure, desks)
    if request.method == "POST" and form.is_valid():
        done = request.session.get(SESSION_DONE, {})
        token = form.cleaned_data["token"]
        if token in done:  # the same form sent twice: show what the first made
            return redirect(reverse("desk:dossier", args=[done[token]]))
        try:
            dossier = _submit(request, procedure, form.cleaned_data, documents)
        except DomainError as error:
            form.add_error(None, error.message)
            for place, problem in error.fields.items():
                form.add_error(FIELD_OF_PLACE.get(place), problem)
        else:
            key = dossier.code or str(dossier.reference)
            request.session[SESSION_DONE] = {**done, token: key}
            decision = form.cleaned_data["decision"]
            messages.success(
                request,
                f"{DONE_MESSAGE[decision]} hồ sơ {dossier.code or ''}. Hãy in phiếu cho người nộp.",
            )
            page = reverse("desk:dossier", args=[key])
            return redirect(f"{page}?in={DONE_TO_PRINT[decision]}")
    return render(
        request,
        "desk/intake_form.html",
        {
            "procedure": procedure,
            "form": form,
            "applicant_fields": [form[name] for name in APPLICANT_FIELDS],
            "eform": [form[name] for name in form.fields if name.startswith("f_")],
            "documents": documents,
            "several_desks": len(desks) > 1,
        },
    )


def _submit(
    request: HttpRequest, procedure: Any, data: dict[str, Any], documents: list[dict[str, Any]]
) -> Any:
    files = [
        IntakeFile(
            component=document["code"],
            stream=upload,
            name=upload.name or "",
            size=upload.size or 0,
        )
        for document in documents
        if (upload := request.FILES.get(f"doc_{document['code']}")) is not None
    ]
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
    )
