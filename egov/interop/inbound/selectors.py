"""Reads for inbound calls: connection accounts, the registry's inbound services, and where
a dossier from the national portal is received when the portal names no desk."""

from egov.catalog.models import Procedure
from egov.orgs.selectors import nearest_desk

from ..models import ConnectionAccount, Direction, SystemService


def account_for_client(*, client_id: str) -> ConnectionAccount | None:
    """The connection account of an OAuth2 client id, active or not; None if it has none."""
    if not client_id:
        return None
    return (
        ConnectionAccount.objects.select_related("system", "application")
        .filter(application__client_id=client_id)
        .first()
    )


def account_for_application(*, application_id: int) -> ConnectionAccount | None:
    return (
        ConnectionAccount.objects.select_related("system", "application")
        .filter(application_id=application_id)
        .first()
    )


def inbound_service_get(*, code: str) -> SystemService | None:
    return SystemService.objects.filter(code=code, direction=Direction.INBOUND).first()


def inbound_scopes() -> dict[str, str]:
    """Every scope an account may be granted: one per active inbound service."""
    return dict(
        SystemService.objects.filter(direction=Direction.INBOUND, active=True)
        .exclude(scope="")
        .values_list("scope", "name")
    )


def national_intake_desk(*, procedure_code: str, ward_code: int | None) -> str:
    """The desk (QCVN 102 code) for a dossier the national portal hands over without
    `MaDonViTiepNhan`: for a commune procedure, the service center of the applicant's commune
    (`MaXa`), where the commune committee that decides it sits; otherwise (a province
    procedure, or no such commune) the province's service center. "" if the province has
    neither: the call is then refused as incomplete."""
    commune_procedure = (
        Procedure.objects.filter(national_code=procedure_code)
        .exclude(competent_agency_kind="")
        .exists()
    )
    return nearest_desk(ward_code=ward_code, commune_procedure=commune_procedure)
