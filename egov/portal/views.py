"""Citizen pages: find a procedure and read what it asks. No rules here."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from egov.catalog.errors import ProcedureNotFoundError
from egov.catalog.models import CompetentLevel, OnlineLevel
from egov.catalog.selectors import (
    competent_agencies,
    procedure_get,
    procedure_search,
    sector_list,
)
from egov.core.http import HtmxHttpRequest
from egov.core.ratelimit import allow
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import dossier_public_get, open_supplement_of
from egov.dossiers.selectors.citizen import next_step, public_steps
from egov.interop.models import TaxNotice

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200


@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def home(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    level = request.GET.get("cap", "")
    if level not in CompetentLevel.values:
        level = ""
    sector = request.GET.get("linh_vuc", "")[:20]
    agency = request.GET.get("co_quan", "")[:20]
    online = request.GET.get("truc_tuyen", "")
    if online not in OnlineLevel.values:
        online = ""
    procedures = procedure_search(
        query=query, level=level, sector_code=sector, agency_code=agency, online_level=online
    )
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "query": query,
        "level": level,
        "sector": sector,
        "levels": CompetentLevel.choices,
        "sectors": sector_list(),
        "agency": agency,
        "agencies": competent_agencies(),
        "online": online,
        "online_levels": OnlineLevel.choices,
        "page": page,
    }
    # htmx swaps in the results alone; restoring history needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "portal/_results.html" if partial else "portal/home.html"
    return render(request, template, context)


@require_GET
def procedure_detail(request: HttpRequest, national_code: str) -> HttpResponse:
    try:
        procedure = procedure_get(national_code=national_code)
    except ProcedureNotFoundError as error:
        raise Http404(error.message) from error
    return render(request, "portal/procedure.html", {"procedure": procedure})


@require_GET
def lookup(request: HttpRequest, code: str = "") -> HttpResponse:
    """Anyone with a dossier's code sees its status and due time, never personal data."""
    code = (code or request.GET.get("ma", "")).strip()[:40]
    context: dict[str, object] = {"code": code}
    status = 200
    if code:
        if not allow(request, scope="public_lookup", rate=settings.MOTCUA_PUBLIC_LOOKUP_RATE):
            context["error"] = "Bạn tra cứu quá nhiều lần; hãy thử lại sau ít phút."
            status = 429
        else:
            try:
                dossier = dossier_public_get(code=code)
            except DossierNotFoundError:
                context["error"] = (
                    "Không tìm thấy hồ sơ có mã này. Hãy kiểm tra lại mã trên giấy hẹn."
                )
                status = 404
            else:
                context.update(_public_progress(dossier))
    return render(request, "portal/lookup.html", context, status=status)


def _public_progress(dossier: Dossier) -> dict[str, object]:
    """What the look-up shows besides the status: what is expected of the applicant now (the
    papers asked for, the amount of an obligation) and the steps with their times. Nothing
    that names a person."""
    supplement = open_supplement_of(dossier) if dossier.status == "supplement_requested" else None
    notice = (
        TaxNotice.objects.filter(dossier=dossier).first()
        if dossier.status == "awaiting_obligation"
        else None
    )
    return {
        "dossier": dossier,
        "next": next_step(dossier=dossier, supplement=supplement),
        "notice": notice,
        "steps": public_steps(dossier=dossier),
    }
