from egov.core.errors import DomainError


class UnknownAgencyError(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"Không có cơ quan nào mang mã định danh {code}.", code="unknown_agency")


class UnknownRoleError(DomainError):
    def __init__(self, role: str, valid: list[str]) -> None:
        super().__init__(
            f"Vai trò {role!r} không tồn tại; các vai trò hợp lệ: {', '.join(valid)}.",
            code="unknown_role",
        )


class StaffAccountError(DomainError):
    """The account cannot be created or changed as asked (taken name, weak password...)."""


class AgencyError(DomainError):
    """An agency record that breaks a rule (its own parent, an invalid period...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_agency")
