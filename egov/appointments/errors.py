from egov.core.errors import DomainError


class AppointmentRuleError(DomainError):
    """A booking, change or arrival that breaks a rule (HTTP 422); `fields` names the inputs."""


class SlotTakenError(AppointmentRuleError):
    """The slot has no place left, or the person already holds one then (HTTP 409)."""


class AppointmentNotFoundError(DomainError):
    """No appointment with this link, or one the person may not see (HTTP 404)."""

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy lịch hẹn. Hãy kiểm tra lại đường dẫn trong tin nhắn xác nhận.",
            code="appointment_not_found",
        )
