"""Citizen pages: find a procedure and read what it asks. No rules here."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from egov.catalog.errors import ProcedureNotFoundError
from egov.catalog.models import CompetentLevel
from egov.catalog.selectors import procedure_get, procedure_search, sector_list
from egov.core.http import HtmxHttpRequest

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
    procedures = procedure_search(query=query, level=level, sector_code=sector)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "query": query,
        "level": level,
        "sector": sector,
        "levels": CompetentLevel.choices,
        "sectors": sector_list(),
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
