from egov.core.errors import DomainError


class DossierNotFoundError(DomainError):
    """Not there, or not visible to this person: the answer is the same (HTTP 404)."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ.", code="dossier_not_found")


class StaleVersionError(DomainError):
    def __init__(self, current: int) -> None:
        super().__init__(
            "Hồ sơ vừa được người khác cập nhật; hãy tải lại và thực hiện lại thao tác.",
            code="stale_version",
        )
        self.current = current


class DossierRuleError(DomainError):
    """A rule of the one-stop shop forbids this (HTTP 422); the message says which."""


class DossierCodeExhaustedError(DomainError):
    def __init__(self, agency_code: str) -> None:
        super().__init__(
            f"Cơ quan {agency_code} đã cấp đủ 9999 mã hồ sơ trong ngày; không thể cấp thêm.",
            code="dossier_code_exhausted",
        )


class IntakePapersError(DossierRuleError):
    """The papers handed in at the counter do not allow this intake (HTTP 422): a mandatory
    component neither scanned nor checked in the original, or a component the procedure
    does not have. `fields` names each one as "documents.<component code>"."""
