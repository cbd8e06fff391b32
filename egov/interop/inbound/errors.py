"""What an inbound call can be refused for, in the LGSP style: each error carries its HTTP
status and its `error_code`; the message starts with the code's name (`AUTHEN_ERROR: ...`).

The codes are those of the LGSP reference list (and of the simulators in `sims/`); the two
marked "ours" are not on it and are chosen to sit in its families:

| code  | name              | HTTP    | when                                                     |
|-------|-------------------|---------|----------------------------------------------------------|
| `0`   | (success)         | 200     | `"message": "Thành công"` or `"Đã ghi nhận"`             |
| `100` | AUTHEN_ERROR      | 401     | no token; a token unknown, expired, or of a locked account |
| `103` | PERMISSION_DENIED | 403     | ours (1xx: access): the service's scope is not granted to |
|       |                   |         | the account, not in the token, or the service is paused  |
| `200` | RECORD_UNCOMPLETE | 400     | a required field or header (Idempotency-Key) absent/empty |
| `201` | RECORD_NOT_FOUND  | 404/405 | no such dossier; an unknown address or method            |
| `302` | DATA_TYPE_INVALID | 400     | a field of the wrong type or format (named), not JSON;   |
|       |                   |         | a national dossier's field the engine finds wrong, a     |
|       |                   |         | file not base64, too big or not what its name says       |
| `429` | RATE_LIMITED      | 429     | ours: the account used up its `ConnectionAccount.rate`   |
| `500` | DATA_INCORRECT    | 409     | the data contradicts the state: the dossier awaits no    |
|       |                   |         | obligation; an Idempotency-Key reused for another body;  |
|       |                   |         | a national dossier for an unknown procedure or desk, one |
|       |                   |         | not taken online, a desk that is not a one-stop desk     |
| `999` | SYSTEM_ERROR      | 500     | ours: an unexpected failure on our side; try again later |

`101` IP_DISALLOWED is reserved for an address allow-list per account (not kept yet).
"""

from egov.core.errors import DomainError

AUTHEN_ERROR = "100"
PERMISSION_DENIED = "103"
RECORD_UNCOMPLETE = "200"
RECORD_NOT_FOUND = "201"
DATA_TYPE_INVALID = "302"
RATE_LIMITED = "429"
DATA_INCORRECT = "500"
SYSTEM_ERROR = "999"

_NAMES = {
    AUTHEN_ERROR: "AUTHEN_ERROR",
    PERMISSION_DENIED: "PERMISSION_DENIED",
    RECORD_UNCOMPLETE: "RECORD_UNCOMPLETE",
    RECORD_NOT_FOUND: "RECORD_NOT_FOUND",
    DATA_TYPE_INVALID: "DATA_TYPE_INVALID",
    RATE_LIMITED: "RATE_LIMITED",
    DATA_INCORRECT: "DATA_INCORRECT",
    SYSTEM_ERROR: "SYSTEM_ERROR",
}


def lgsp_message(code: str, text: str) -> str:
    """ "AUTHEN_ERROR: Thiếu mã truy cập." """
    return f"{_NAMES[code]}: {text}"


class InboundError(DomainError):
    """An inbound call refused; `code` is the LGSP error_code, `status` the HTTP status."""

    status = 400
    lgsp_code = DATA_INCORRECT

    def __init__(self, text: str) -> None:
        super().__init__(lgsp_message(self.lgsp_code, text), code=self.lgsp_code)


class AuthenError(InboundError):
    status = 401
    lgsp_code = AUTHEN_ERROR


class PermissionDeniedError(InboundError):
    status = 403
    lgsp_code = PERMISSION_DENIED


class RecordUncompleteError(InboundError):
    status = 400
    lgsp_code = RECORD_UNCOMPLETE


class RecordNotFoundError(InboundError):
    status = 404
    lgsp_code = RECORD_NOT_FOUND


class DataTypeInvalidError(InboundError):
    status = 400
    lgsp_code = DATA_TYPE_INVALID


class DataIncorrectError(InboundError):
    status = 409
    lgsp_code = DATA_INCORRECT


class RateLimitedError(InboundError):
    status = 429
    lgsp_code = RATE_LIMITED

    def __init__(self, text: str, *, retry_after: int) -> None:
        super().__init__(text)
        self.retry_after = retry_after


class ConnectionAccountError(DomainError):
    """A connection account cannot be created as asked (the command says why)."""
