from egov.core.errors import DomainError

from .exchange import Problem


class CatalogueFileError(DomainError):
    """The catalogue file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"Tệp danh mục thủ tục có {len(problems)} lỗi; chưa nhập thủ tục nào.",
            code="catalogue_invalid",
        )
        self.problems = problems


class ProcedureNotFoundError(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"Không tìm thấy thủ tục mã {code}.", code="procedure_not_found")
