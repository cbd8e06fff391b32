"""The catalogue file (docs/catalogue-format.md): read and check it, and write it.

Reading turns the JSON into `ProcedureSpec` values and a list of every problem, each with its
place (`1.001193: steps[2].agency`), so that one run tells the editor all that is wrong. It
touches no database: the caller passes the agency codes that exist.
"""

import datetime
import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from .rules import StepShape, procedure_problems, steps_problems, time_limit_problem

FORMAT = "motcua.procedures/1"

NATIONAL_CODE_RE = re.compile(r"^\d\.\d{6}$")
SECTOR_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LEVELS = ("province", "commune")
ONLINE_LEVELS = ("full", "partial", "none")
LEGACY_LEVELS = (2, 3, 4)
UNITS = ("hours", "working_days", "days", "months")
AGENCY_KINDS = ("commune_committee", "commune_service_center")
STEP_ROLES = ("reception", "specialist", "leader", "clerk")
COPY_KINDS = ("original", "copy", "certified_copy", "original_or_copy")
FEE_KINDS = ("fee", "charge")
FORM_FIELD_TYPES = ("text", "textarea", "date", "number", "select", "checkbox", "email", "phone")
# Bounds that keep every value inside its column on SQLite and PostgreSQL alike.
MAX_NUMBER = 100_000
MAX_QUANTITY = 100
MAX_AMOUNT = 10**12  # VND; more than any fee a procedure charges


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass
class StepSpec:
    name: str
    agency: str | None
    agency_kind: str
    role: str
    hours: Decimal
    # A conditional step runs only when this e-form field is ticked or filled ("" = always).
    when: str = ""


@dataclass
class DocumentSpec:
    code: str
    name: str
    copy_kind: str
    quantity: int
    mandatory: bool
    template: str
    reusable: bool


@dataclass
class FeeSpec:
    code: str
    name: str
    kind: str
    amount: int
    note: str


@dataclass
class ProcedureSpec:
    national_code: str
    code_verified: bool
    name: str
    sector_code: str
    sector_name: str
    level: str
    competent_agency: str | None
    competent_agency_kind: str
    online_level: str
    legacy_online_level: int | None
    full_process_eligible: bool
    time_limit_value: Decimal
    time_limit_unit: str
    online_time_limit_value: Decimal | None
    online_time_limit_unit: str
    postal_intake: bool
    postal_return: bool
    paper_result: bool
    result_name: str
    legal_basis: str
    requirements: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    form_schema: dict[str, Any]
    # How long the applicant has to supply what Mẫu 02 asks (None: the province's default).
    supplement_time_limit_value: Decimal | None = None
    supplement_time_limit_unit: str = ""
    documents: list[DocumentSpec] = field(default_factory=list)
    fees: list[FeeSpec] = field(default_factory=list)
    steps: list[StepSpec] = field(default_factory=list)


class _Reader:
    """Reads one JSON object's fields, noting a problem for each bad or missing one."""

    def __init__(self, data: Any, code: str, path: str, problems: list[Problem]) -> None:
        self.code = code
        self.path = path
        self.problems = problems
        self.data = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.problem("", "phải là một đối tượng JSON")

    def _path_to(self, key: str) -> str:
        return ".".join(part for part in (self.path, key) if part)

    def problem(self, key: str, message: str) -> None:
        where = self._path_to(key)
        self.problems.append(Problem(f"{self.code}: {where}" if where else self.code, message))

    def _get(self, key: str, check: Callable[[Any], bool], what: str, *, optional: bool) -> Any:
        if key not in self.data or (optional and self.data[key] is None):
            if not optional:
                self.problem(key, "thiếu trường bắt buộc")
            return None
        value = self.data[key]
        if not check(value):
            self.problem(key, f"phải là {what}")
            return None
        return value

    def text(self, key: str, *, optional: bool = False, max_length: int = 500) -> str:
        value = self._get(key, lambda v: isinstance(v, str), "một chuỗi ký tự", optional=optional)
        if value is None:
            return ""
        value = value.strip()
        if not value and not optional:
            self.problem(key, "không được để trống")
        elif len(value) > max_length:
            self.problem(key, f"dài quá {max_length} ký tự")
        return str(value)

    def flag(self, key: str) -> bool:
        value = self._get(key, lambda v: isinstance(v, bool), "true hoặc false", optional=False)
        return bool(value)

    def choice(self, key: str, choices: Collection[Any], *, optional: bool = False) -> Any:
        listed = ", ".join(str(choice) for choice in choices)
        return self._get(
            key,
            lambda v: v in choices and isinstance(v, str | int),
            f"một trong: {listed}",
            optional=optional,
        )

    def integer(self, key: str, *, minimum: int, maximum: int) -> int:
        value = self._get(
            key,
            lambda v: isinstance(v, int) and not isinstance(v, bool) and minimum <= v <= maximum,
            f"một số nguyên từ {minimum} đến {maximum}",
            optional=False,
        )
        return int(value) if value is not None else minimum

    def number(self, key: str) -> Decimal | None:
        """A positive number below MAX_NUMBER with at most two decimals (JSON may also carry
        Infinity or NaN, which Python's json accepts; they are refused here)."""
        value = self._get(
            key,
            lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < MAX_NUMBER,
            f"một số lớn hơn 0 và nhỏ hơn {MAX_NUMBER}",
            optional=False,
        )
        if value is None:
            return None
        number = Decimal(str(value))
        if number != number.quantize(Decimal("0.01")):
            self.problem(key, "có nhiều nhất hai chữ số thập phân")
            return None
        return number

    def date(self, key: str, *, optional: bool = False) -> datetime.date | None:
        value = self._get(
            key, lambda v: isinstance(v, str), "một ngày dạng YYYY-MM-DD", optional=optional
        )
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(key, "phải là một ngày dạng YYYY-MM-DD")
            return None

    def items(self, key: str, *, optional: bool = False) -> list[Any]:
        value = self._get(key, lambda v: isinstance(v, list), "một danh sách", optional=optional)
        return value or []

    def child(self, key: str) -> "_Reader":
        return _Reader(self.data.get(key), self.code, self._path_to(key), self.problems)

    def element(self, key: str, index: int, value: Any) -> "_Reader":
        return _Reader(value, self.code, self._path_to(f"{key}[{index}]"), self.problems)


def _read_time_limit(reader: _Reader, key: str) -> tuple[Decimal | None, str]:
    if key not in reader.data or reader.data[key] is None:
        if key == "time_limit":
            reader.problem(key, "thiếu trường bắt buộc")
        return None, ""
    limit = reader.child(key)
    value = limit.number("value")
    unit = limit.choice("unit", UNITS) or ""
    problem = time_limit_problem(value, unit) if value is not None else None
    if problem:
        limit.problem("value", problem)
    return value, unit


def _read_agency_ref(
    reader: _Reader,
    code_key: str,
    kind_key: str,
    known_agencies: Collection[str],
) -> tuple[str | None, str]:
    code = reader.data.get(code_key)
    kind = reader.data.get(kind_key)
    if (code is None) == (kind is None):
        reader.problem(code_key, f"cần đúng một trong hai trường {code_key} hoặc {kind_key}")
        return None, ""
    if code is not None:
        if not isinstance(code, str) or code not in known_agencies:
            reader.problem(code_key, f"không có cơ quan mang mã định danh {code!r}")
            return None, ""
        return code, ""
    return None, reader.choice(kind_key, AGENCY_KINDS) or ""


def _read_form_schema(reader: _Reader) -> dict[str, Any]:
    if "form_schema" not in reader.data:
        return {"fields": []}
    schema = reader.child("form_schema")
    fields = []
    names: set[str] = set()
    for index, raw in enumerate(schema.items("fields")):
        item = schema.element("fields", index, raw)
        name = item.text("name", max_length=60)
        if name and not FIELD_NAME_RE.match(name):
            item.problem("name", "chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới")
        elif name in names:
            item.problem("name", f"trùng tên trường {name!r}")
        names.add(name)
        kind = item.choice("type", FORM_FIELD_TYPES)
        entry: dict[str, Any] = {
            "name": name,
            "label": item.text("label", max_length=300),
            "type": kind,
            "required": item.flag("required"),
        }
        if kind == "select":
            choices = item.items("choices")
            valid = all(
                isinstance(c, list) and len(c) == 2 and all(isinstance(p, str) for p in c)
                for c in choices
            )
            if not choices or not valid:
                item.problem("choices", "phải là danh sách khác rỗng các cặp [giá trị, nhãn]")
            entry["choices"] = choices
        fields.append(entry)
    return {"fields": fields}


def form_schema_problems(schema: Any) -> list[str]:
    """The e-form schema's problems, for an editor outside the file (the admin site)."""
    problems: list[Problem] = []
    _read_form_schema(_Reader({"form_schema": schema}, "", "", problems))
    return [f"{problem.place.removeprefix(': ')}: {problem.message}" for problem in problems]


def _read_procedure(
    raw: Any, index: int, known_agencies: Collection[str], problems: list[Problem]
) -> ProcedureSpec | None:
    code = raw.get("national_code") if isinstance(raw, dict) else None
    place = code if isinstance(code, str) and NATIONAL_CODE_RE.match(code) else None
    reader = _Reader(raw, place or f"procedures[{index}]", "", problems)
    before = len(problems)
    if place is None:
        reader.problem("national_code", "phải gồm một chữ số, dấu chấm và sáu chữ số")
    sector = reader.child("sector")
    competent_agency, competent_kind = _read_agency_ref(
        reader, "competent_agency", "competent_agency_kind", known_agencies
    )
    limit_value, limit_unit = _read_time_limit(reader, "time_limit")
    online_value, online_unit = _read_time_limit(reader, "online_time_limit")
    supplement_value, supplement_unit = _read_time_limit(reader, "supplement_time_limit")
    spec = ProcedureSpec(
        national_code=place or "",
        code_verified=reader.flag("code_verified"),
        name=reader.text("name"),
        sector_code=sector.text("code", max_length=20),
        sector_name=sector.text("name", max_length=200),
        level=reader.choice("level", LEVELS) or "",
        competent_agency=competent_agency,
        competent_agency_kind=competent_kind,
        online_level=reader.choice("online_level", ONLINE_LEVELS) or "",
        legacy_online_level=reader.choice("legacy_online_level", LEGACY_LEVELS, optional=True),
        full_process_eligible=reader.flag("full_process_eligible"),
        time_limit_value=limit_value or Decimal(0),
        time_limit_unit=limit_unit,
        online_time_limit_value=online_value,
        online_time_limit_unit=online_unit,
        postal_intake=reader.flag("postal_intake"),
        postal_return=reader.flag("postal_return"),
        paper_result=reader.flag("paper_result"),
        result_name=reader.text("result_name"),
        legal_basis=reader.text("legal_basis", max_length=5000),
        requirements=reader.text("requirements", optional=True, max_length=5000),
        valid_from=reader.date("valid_from") or datetime.date.min,
        valid_to=reader.date("valid_to", optional=True),
        form_schema=_read_form_schema(reader),
        supplement_time_limit_value=supplement_value,
        supplement_time_limit_unit=supplement_unit,
    )
    if spec.sector_code and not SECTOR_CODE_RE.match(spec.sector_code):
        sector.problem("code", "chỉ gồm chữ cái không dấu, chữ số và . _ -")
    if spec.valid_to is not None and spec.valid_to < spec.valid_from:
        reader.problem("valid_to", "không được trước valid_from")
    cross_field = procedure_problems(
        level=spec.level,
        has_competent_agency=competent_agency is not None,
        competent_agency_kind=competent_kind,
        online_level=spec.online_level,
        full_process_eligible=spec.full_process_eligible,
        online_limit_value=None,  # checked with its value, by _read_time_limit
        online_limit_unit="",
    )
    for key, message in cross_field.items():
        reader.problem(key, message)
    _read_documents(reader, spec)
    _read_fees(reader, spec)
    _read_steps(reader, spec, known_agencies)
    return spec if len(problems) == before else None


def _read_documents(reader: _Reader, spec: ProcedureSpec) -> None:
    codes: set[str] = set()
    for index, raw in enumerate(reader.items("documents")):
        item = reader.element("documents", index, raw)
        document = DocumentSpec(
            code=item.text("code", max_length=20),
            name=item.text("name"),
            copy_kind=item.choice("copy_kind", COPY_KINDS) or "",
            quantity=item.integer("quantity", minimum=1, maximum=MAX_QUANTITY),
            mandatory=item.flag("mandatory"),
            template=item.text("template", optional=True, max_length=300),
            reusable=item.flag("reusable"),
        )
        if document.code in codes:
            item.problem("code", f"trùng mã thành phần {document.code!r}")
        codes.add(document.code)
        spec.documents.append(document)


def _read_fees(reader: _Reader, spec: ProcedureSpec) -> None:
    codes: set[str] = set()
    for index, raw in enumerate(reader.items("fees")):
        item = reader.element("fees", index, raw)
        fee = FeeSpec(
            code=item.text("code", max_length=20),
            name=item.text("name", max_length=300),
            kind=item.choice("kind", FEE_KINDS) or "",
            amount=item.integer("amount", minimum=0, maximum=MAX_AMOUNT),
            note=item.text("note", optional=True),
        )
        if fee.code in codes:
            item.problem("code", f"trùng mã phí {fee.code!r}")
        codes.add(fee.code)
        spec.fees.append(fee)


def _read_step_condition(item: _Reader, form_schema: dict[str, Any]) -> str:
    """`when`: the name of an e-form field of the procedure."""
    when = item.text("when", optional=True, max_length=60)
    fields = {field.get("name") for field in form_schema.get("fields", [])}
    if when and when not in fields:
        item.problem("when", f"tờ khai của thủ tục không có trường {when!r}")
    return when


def _read_steps(reader: _Reader, spec: ProcedureSpec, known_agencies: Collection[str]) -> None:
    for index, raw in enumerate(reader.items("steps")):
        item = reader.element("steps", index, raw)
        agency, agency_kind = _read_agency_ref(item, "agency", "agency_kind", known_agencies)
        spec.steps.append(
            StepSpec(
                name=item.text("name", max_length=300),
                agency=agency,
                agency_kind=agency_kind,
                role=item.choice("role", STEP_ROLES) or "",
                hours=item.number("hours") or Decimal(0),
                when=_read_step_condition(item, spec.form_schema),
            )
        )
    for message in steps_problems(
        level=spec.level,
        steps=[StepShape(agency_kind=step.agency_kind, hours=step.hours) for step in spec.steps],
        limit_value=spec.time_limit_value,
        limit_unit=spec.time_limit_unit,
    ):
        reader.problem("steps", message)


def read_catalogue(
    data: Any, *, known_agencies: Collection[str]
) -> tuple[list[ProcedureSpec], list[Problem]]:
    """Check a whole catalogue file; the specs are usable only when there are no problems."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [], [Problem("tệp", "phải là một đối tượng JSON có trường procedures")]
    if data.get("format") != FORMAT:
        problems.append(Problem("format", f"phải là {FORMAT!r}"))
    raw_procedures = data.get("procedures")
    if not isinstance(raw_procedures, list) or not raw_procedures:
        problems.append(Problem("procedures", "phải là một danh sách thủ tục khác rỗng"))
        return [], problems
    specs = []
    seen: set[str] = set()
    sector_names: dict[str, str] = {}
    for index, raw in enumerate(raw_procedures):
        spec = _read_procedure(raw, index, known_agencies, problems)
        if spec is not None:
            named = sector_names.setdefault(spec.sector_code, spec.sector_name)
            if named != spec.sector_name:
                problems.append(
                    Problem(
                        f"{spec.national_code}: sector.name",
                        f"lĩnh vực {spec.sector_code} đã mang tên {named!r} ở thủ tục trước",
                    )
                )
        code = raw.get("national_code") if isinstance(raw, dict) else None
        if isinstance(code, str) and code in seen:
            problems.append(Problem(code, "mã thủ tục xuất hiện hơn một lần trong tệp"))
        if isinstance(code, str):
            seen.add(code)
        if spec is not None:
            specs.append(spec)
    return specs, problems


def _number(value: Decimal) -> int | float:
    """A Decimal as the plainest JSON number: 8, not 8.00."""
    return int(value) if value == value.to_integral_value() else float(value)


def spec_to_content(spec: ProcedureSpec) -> dict[str, Any]:
    """A procedure in the file's shape: what export writes and a revision keeps."""
    online_limit = (
        {"value": _number(spec.online_time_limit_value), "unit": spec.online_time_limit_unit}
        if spec.online_time_limit_value is not None
        else None
    )
    return {
        "national_code": spec.national_code,
        "code_verified": spec.code_verified,
        "name": spec.name,
        "sector": {"code": spec.sector_code, "name": spec.sector_name},
        "level": spec.level,
        "competent_agency": spec.competent_agency,
        "competent_agency_kind": spec.competent_agency_kind or None,
        "online_level": spec.online_level,
        "legacy_online_level": spec.legacy_online_level,
        "full_process_eligible": spec.full_process_eligible,
        "time_limit": {"value": _number(spec.time_limit_value), "unit": spec.time_limit_unit},
        "online_time_limit": online_limit,
        "postal_intake": spec.postal_intake,
        "postal_return": spec.postal_return,
        "paper_result": spec.paper_result,
        "result_name": spec.result_name,
        "legal_basis": spec.legal_basis,
        "requirements": spec.requirements,
        "valid_from": spec.valid_from.isoformat(),
        "valid_to": spec.valid_to.isoformat() if spec.valid_to else None,
        "documents": [asdict(document) for document in spec.documents],
        "fees": [asdict(fee) for fee in spec.fees],
        "steps": [
            {
                "name": s.name,
                **({"agency": s.agency} if s.agency else {"agency_kind": s.agency_kind}),
                "role": s.role,
                "hours": _number(s.hours),
                **({"when": s.when} if s.when else {}),
            }
            for s in spec.steps
        ],
        "form_schema": spec.form_schema,
        **(
            {
                "supplement_time_limit": {
                    "value": _number(spec.supplement_time_limit_value),
                    "unit": spec.supplement_time_limit_unit,
                }
            }
            if spec.supplement_time_limit_value is not None
            else {}
        ),
    }


def catalogue_document(contents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT, "procedures": contents}
