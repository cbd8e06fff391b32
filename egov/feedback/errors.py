from egov.core.errors import DomainError


class FeedbackNotFoundError(DomainError):
    """Not there, or not visible to this person: the answer is the same (HTTP 404)."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy phản ánh, kiến nghị.", code="feedback_not_found")


class FeedbackInputError(DomainError):
    """What the sender (or the officer) typed cannot be accepted; `fields` says where."""

    def __init__(self, fields: dict[str, str]) -> None:
        count = len(fields)
        super().__init__(
            "Có 1 thông tin cần sửa." if count == 1 else f"Có {count} thông tin cần sửa.",
            code="feedback_invalid",
            fields=fields,
        )


class FeedbackRuleError(DomainError):
    """A rule of the feedback process forbids this (HTTP 422); the message says which."""
