"""Shared pieces: requests, responses, LGSP errors, routes, knobs, field checks, time."""

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl

# The national systems stamp times in Vietnam time; it has no daylight saving.
VN_TZ = dt.timezone(dt.timedelta(hours=7))
SYSTEMS = ("dvcqg", "csdldc", "hotich", "thue", "vneid", "sms", "zalo", "mail")

# LGSP error codes.
AUTHEN_ERROR = "100"
RECORD_UNCOMPLETE = "200"
RECORD_NOT_FOUND = "201"
DATA_TYPE_INVALID = "302"
DATA_INCORRECT = "500"
UNAVAILABLE = "503"
UNAVAILABLE_MESSAGE = "Hệ thống đang bảo trì, vui lòng thử lại sau."

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
TIMESTAMP_RE = re.compile(r"[0-9]{14}")
DATE_RE = re.compile(r"[0-9]{8}")


def now_vn() -> dt.datetime:
    return dt.datetime.now(VN_TZ)


def timestamp(moment: dt.datetime) -> str:
    """yyyyMMddHHmmss in Vietnam time, the format of every national-system date field."""
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


class ApiError(Exception):
    """An error answer; the dispatcher turns it into the LGSP JSON body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {**(extra or {}), "error_code": self.code, "message": self.message}


def missing(name: str) -> ApiError:
    return ApiError(400, RECORD_UNCOMPLETE, f"Thiếu trường bắt buộc: {name}")


def invalid(name: str, expected: str = "") -> ApiError:
    hint = f" (cần {expected})" if expected else ""
    return ApiError(400, DATA_TYPE_INVALID, f"Trường {name} không đúng định dạng{hint}")


def incorrect(message: str, status: int = 400) -> ApiError:
    return ApiError(status, DATA_INCORRECT, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, RECORD_NOT_FOUND, message)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "").strip()

    def json_object(self) -> dict[str, Any]:
        if not self.body.strip():
            raise ApiError(400, RECORD_UNCOMPLETE, "Thiếu nội dung yêu cầu (JSON)")
        try:
            data = json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(
                400, DATA_TYPE_INVALID, "Nội dung yêu cầu không phải JSON hợp lệ"
            ) from exc
        if not isinstance(data, dict):
            raise ApiError(400, DATA_TYPE_INVALID, "Nội dung yêu cầu phải là một đối tượng JSON")
        return data

    def form(self) -> dict[str, str]:
        try:
            return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise ApiError(400, DATA_TYPE_INVALID, "Nội dung biểu mẫu không hợp lệ") from exc


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(status, body, JSON_TYPE, dict(headers or {}))


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), HTML_TYPE)


Handler = Callable[[Request], Response]


@dataclass
class Route:
    """One endpoint. `system` None marks a control endpoint: no knobs, no auth."""

    method: str
    pattern: str
    handler: Handler
    system: str | None
    name: str
    mutating: bool = False  # ack_delay applies to its successful answers
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.pattern)
        # re.split alternates literal text and placeholder names.
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
        self.regex = re.compile(regex)


@dataclass
class Knobs:
    """Failure and timing knobs of one system."""

    latency_ms: int = 0
    error_rate: float = 0.0
    down: bool = False
    outages: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    ack_delay_ms: int = 0
    processing_seconds: float = 2.0  # hotich: status 1 → 3 after this, → 4 after twice this
    token_ttl_s: int = 3600  # dvcqg, thue: lifetime of issued tokens

    def copy(self) -> "Knobs":
        return dataclasses.replace(self, outages=list(self.outages))

    def outage_end(self, moment: dt.datetime) -> dt.datetime | None:
        """The end of the outage window that `moment` is in, if any."""
        for start, end in self.outages:
            if start <= moment < end:
                return end
        return None

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["outages"] = [
            {"start": start.isoformat(), "end": end.isoformat()} for start, end in self.outages
        ]
        return data


def _non_negative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(name, "số nguyên không âm")
    return value


def _aware_datetime(value: Any, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(name, "ISO-8601 có múi giờ, ví dụ 2026-01-01T08:00:00+07:00")
    return moment


def parse_knob_update(data: dict[str, Any]) -> dict[str, Any]:
    """Checks a knob update before any of it applies; returns attribute → value."""
    known = {f.name for f in dataclasses.fields(Knobs)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ApiError(
            400, DATA_TYPE_INVALID, f"Núm điều chỉnh không tồn tại: {', '.join(unknown)}"
        )
    values: dict[str, Any] = {}
    for name in ("latency_ms", "ack_delay_ms", "token_ttl_s"):
        if name in data:
            values[name] = _non_negative_int(data[name], name)
    if "error_rate" in data:
        rate = data["error_rate"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise invalid("error_rate", "số từ 0 đến 1")
        values["error_rate"] = float(rate)
    if "processing_seconds" in data:
        seconds = data["processing_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise invalid("processing_seconds", "số giây không âm")
        values["processing_seconds"] = float(seconds)
    if "down" in data:
        if not isinstance(data["down"], bool):
            raise invalid("down", "true hoặc false")
        values["down"] = data["down"]
    if "outages" in data:
        if not isinstance(data["outages"], list):
            raise invalid("outages", "danh sách {start, end}")
        windows = []
        for i, window in enumerate(data["outages"]):
            if not isinstance(window, dict):
                raise invalid(f"outages[{i}]", "đối tượng {start, end}")
            start = _aware_datetime(window.get("start"), f"outages[{i}].start")
            end = _aware_datetime(window.get("end"), f"outages[{i}].end")
            if end <= start:
                raise incorrect(f"outages[{i}]: thời điểm kết thúc phải sau thời điểm bắt đầu")
            windows.append((start, end))
        values["outages"] = windows
    return values


class System:
    """One simulated national system: its routes, knobs and in-memory data."""

    name = ""
    # Fields added to every error body of this system (hotich answers carry "status": 0).
    error_extra: ClassVar[dict[str, Any]] = {}

    def __init__(self, knobs: Knobs) -> None:
        self.initial_knobs = knobs.copy()
        self.knobs = knobs.copy()
        self.requests: Counter[str] = Counter()  # route name → requests received
        self.clear()

    def reset(self) -> None:
        self.knobs = self.initial_knobs.copy()
        self.requests.clear()
        self.clear()

    def clear(self) -> None:
        """Forgets the system's data; subclasses set up their containers here."""

    def routes(self) -> list[Route]:
        return []


def fingerprint(data: Any) -> str:
    """The same JSON value, whatever its key order or spacing, gives the same fingerprint."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Idempotency:
    """The stored answer of each key, so a replay gets it again and has no new effect."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[str, Response]] = {}
        self.effects: Counter[str] = Counter()

    def replay(self, key: str, body_fingerprint: str) -> Response | None:
        stored = self.answers.get(key)
        if stored is None:
            return None
        if stored[0] != body_fingerprint:
            raise ApiError(409, DATA_INCORRECT, "Idempotency-Key đã dùng cho nội dung khác")
        answer = stored[1]
        headers = {**answer.headers, "Idempotent-Replayed": "true"}
        return Response(answer.status, answer.body, answer.content_type, headers)

    def record(self, key: str, body_fingerprint: str, answer: Response) -> None:
        self.answers[key] = (body_fingerprint, answer)
        self.effects[key] += 1


def idempotency_key(req: Request) -> str:
    key = req.header("Idempotency-Key")
    if not key:
        raise ApiError(400, RECORD_UNCOMPLETE, "Thiếu tiêu đề bắt buộc: Idempotency-Key")
    if len(key) > 255:
        raise ApiError(400, DATA_TYPE_INVALID, "Idempotency-Key dài quá 255 ký tự")
    return key


# Field checks. "Missing" means absent, null or an empty string.
def is_missing(value: Any) -> bool:
    return value is None or value == ""


def get_str(
    body: dict[str, Any], name: str, *, required: bool = False, label: str = ""
) -> str | None:
    label = label or name
    value = body.get(name)
    if is_missing(value):
        if required:
            raise missing(label)
        return None
    if not isinstance(value, str):
        raise invalid(label, "chuỗi ký tự")
    return value


def require_str(body: dict[str, Any], name: str, label: str = "") -> str:
    value = get_str(body, name, required=True, label=label)
    if value is None:  # get_str raised already; this narrows the type
        raise missing(label or name)
    return value


def get_int(
    body: dict[str, Any],
    name: str,
    allowed: range | None = None,
    *,
    required: bool = False,
    label: str = "",
) -> int | None:
    label = label or name
    value = body.get(name)
    if is_missing(value):
        if required:
            raise missing(label)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(label, "số nguyên")
    if allowed is not None and value not in allowed:
        raise invalid(label, f"số nguyên từ {allowed.start} đến {allowed.stop - 1}")
    return value


def require_int(
    body: dict[str, Any], name: str, allowed: range | None = None, label: str = ""
) -> int:
    value = get_int(body, name, allowed, required=True, label=label)
    if value is None:  # get_int raised already; this narrows the type
        raise missing(label or name)
    return value


def get_list(body: dict[str, Any], name: str, label: str = "") -> list[Any]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(label or name, "danh sách")
    return value


def parse_timestamp(value: Any, name: str) -> dt.datetime | None:
    """yyyyMMddHHmmss as a real moment (Vietnam time); empty gives None."""
    if is_missing(value):
        return None
    if not isinstance(value, str) or not TIMESTAMP_RE.fullmatch(value):
        raise invalid(name, "yyyyMMddHHmmss")
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    hour, minute, second = int(value[8:10]), int(value[10:12]), int(value[12:])
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
    except ValueError as exc:  # 20260231..., 25 o'clock
        raise invalid(name, "yyyyMMddHHmmss") from exc


def parse_date(value: Any, name: str) -> dt.date | None:
    """yyyyMMdd as a real date; empty gives None."""
    if is_missing(value):
        return None
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise invalid(name, "yyyyMMdd")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise invalid(name, "yyyyMMdd") from exc
