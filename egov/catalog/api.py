"""The procedure catalogue over HTTP: public, like the portal's pages."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .models import Procedure
from .selectors import procedure_content, procedure_get, procedure_search

router = Router(tags=["procedures"])
MAX_PAGE = 100
# Far past the end of any catalogue (a province has a few thousand procedures), and a number
# every database takes in OFFSET.
MAX_OFFSET = 1_000_000


class TimeLimitOut(Schema):
    value: Decimal
    unit: str


class ProcedureSummaryOut(Schema):
    national_code: str
    name: str
    sector: str = Field(..., alias="sector.name")
    level: str
    online_level: str
    postal_intake: bool
    postal_return: bool
    time_limit: TimeLimitOut

    @staticmethod
    def resolve_time_limit(procedure: Procedure) -> dict[str, Any]:
        return {"value": procedure.time_limit_value, "unit": procedure.time_limit_unit}


class ProcedurePageOut(Schema):
    count: int
    items: list[ProcedureSummaryOut]


class ProcedureFilters(Schema):
    search: str = Field("", max_length=200)
    level: str = ""
    sector: str = ""
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(20, ge=1, le=MAX_PAGE)


@router.get(
    "/procedures",
    response=ProcedurePageOut,
    auth=None,
    summary="Tìm thủ tục (có dấu hoặc không dấu)",
)
def procedure_list(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict[str, Any]:
    found = procedure_search(query=filters.search, level=filters.level, sector_code=filters.sector)
    return {
        "count": found.count(),
        "items": list(found[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/procedures/{national_code}", auth=None, summary="Một thủ tục, đầy đủ như tệp danh mục"
)
def procedure_detail(request: HttpRequest, national_code: str) -> dict[str, Any]:
    procedure = procedure_get(national_code=national_code)
    return {**procedure_content(procedure), "version": procedure.version}
