"""Agencies over HTTP: public, as the province publishes them."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from .models import Agency
from .selectors import agency_list

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    code: str
    code_qd20: str
    name: str
    kind: str
    parent: str | None = Field(None, alias="parent.code")


@router.get("/agencies", response=list[AgencyOut], auth=None, summary="Danh sách cơ quan")
def agencies(request: HttpRequest) -> list[Agency]:
    return list(agency_list())
