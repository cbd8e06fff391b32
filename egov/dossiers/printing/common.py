"""What every printed form shares: its title, its refusal, its issuing unit, its officers."""

from collections.abc import Iterable

from django.utils.safestring import SafeString

from egov.core.errors import DomainError
from egov.orgs.models import Agency, Membership

from .formatting import unbroken

TEMPLATES = "dossiers/forms"

# The forms' names as people call them, for messages, buttons and file names.
FORM_TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)",
    "06": "Sổ theo dõi hồ sơ (Mẫu 06)",
    "stop": "Thông báo dừng giải quyết hồ sơ",
}


class FormNotAvailableError(DomainError):
    """The form does not apply to the dossier as it stands (HTTP 422)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="form_not_available")


def unavailable(form: str, why: str) -> FormNotAvailableError:
    return FormNotAvailableError(f"{why} nên không có {FORM_TITLES[form]}.")


def issuer(agency: Agency) -> dict[str, SafeString | str]:
    """The issuing unit's block, top left: the agency that signs the form (the receiving
    desk for Mẫu 01, 02, 03, 05 and 06; the competent agency, whose head signs, for Mẫu 04
    and the stop notice), under its parent's name when it has one. The caller loads the
    parent with the agency (select_related). Names are held together where a narrow
    column would split them (`unbroken`)."""
    return {
        "parent": unbroken(agency.parent.name) if agency.parent else "",
        "name": unbroken(agency.name),
    }


TitleKey = tuple[int, int]


def officer_titles(pairs: Iterable[tuple[int | None, int | None]]) -> dict[TitleKey, str]:
    """The titles (Membership.title) of officers at agencies, by (user id, agency id), in one
    query. A role switched off since still names the title it carried, so a reprint reads as
    the first print did; an active role's title wins over it."""
    wanted = {(user, agency) for user, agency in pairs if user is not None and agency is not None}
    if not wanted:
        return {}
    titles: dict[TitleKey, str] = {}
    rows = (
        Membership.objects.filter(
            user_id__in={user for user, _ in wanted}, agency_id__in={agency for _, agency in wanted}
        )
        .exclude(title="")
        .order_by("active", "pk")
        .values_list("user_id", "agency_id", "title")
    )
    for user, agency, title in rows:
        if (user, agency) in wanted:
            titles[(user, agency)] = title  # the last one: active, then the latest
    return titles
