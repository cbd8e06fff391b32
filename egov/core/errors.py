"""The root of every domain error; one handler per interface maps them to answers."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is for the person, in Vietnamese."""

    def __init__(
        self, message: str, *, code: str = "domain_error", fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # Problems by input field ("applicant.id_number"), for forms and the API's answer.
        self.fields = fields or {}


class NotAllowedError(DomainError):
    """The person may see the thing but may not do this to it (HTTP 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_allowed")
