"""Ministry of Justice civil-status software (phần mềm đăng ký, quản lý hộ tịch điện tử dùng
chung): a birth, death or marriage dossier received at a commune's desk is registered there,
then its status and its entry in the register book are read back (reference §8.5, after the
Quảng Bình LGSP guide).

- `POST /api/dangKyHoTich` `{maDonVi, module, maHoSo, ngayTiepNhan, data}` → `{"status": 1}`;
  idempotent per `maHoSo` (the same body again has no new effect).
- `POST /api/traTrangThaiHoSo` `{maDonVi, maHoSo}` → `{"status": 1|2|3|4, "moTa"}`.
- `POST /api/ketQuaDangKyHS` `{maDonVi, maHoSo}` → `{"status": 1, "so", "quyenSo", "trangSo",
  "ngayDangKy", "module"}`, once registered.

Mapping decisions (documented in the issue note):
- `module` comes from the procedure's national code, and only for procedures of the civil-status
  sector `HT`: 1.001193 birth → `KS`, 1.000656 death → `KT`, 1.000894 marriage → `KH`. The other
  HT procedures of the catalogue (re-registration, foreign element, recognition of parents,
  corrections, marital-status certificates, guardianship, extracts) are not sent: the module
  codes the MoJ software uses for them are not confirmed. ⚠️
- `maDonVi`, the MoJ administrative-unit code, is taken to be the national commune code of the
  receiving desk (its `ward_code`; the competent commune's when the desk has none). ⚠️ The
  MoJ keeps its own unit list (`danhMuc` type 4); a province whose codes differ needs a table.
- `data` is an XML document built with ElementTree (escaped by it; characters XML 1.0 cannot
  carry are dropped): `<HoSoHoTich module maHoSo>` with `<NguoiYeuCau>` (the applicant) and
  `<ToKhai>` holding one `<Truong ma="<e-form field>" ten="<label>">value</Truong>` per
  answered e-form field. ⚠️ The MoJ's own XML schema per module is not public; dates are
  dd/MM/yyyy, genders 1 male / 2 female, check boxes 1/0.
"""

import dataclasses
import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from egov.catalog.models import Procedure
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier

from ..models import OutboxMessage
from . import http

SYSTEM = "hotich"
SERVICE = "hotich.register"
STATUS_SERVICE = "hotich.status"
RESULT_SERVICE = "hotich.result"
SECTOR = "HT"
# National procedure code → the MoJ software's business module.
MODULES = {
    "1.001193": "KS",  # đăng ký khai sinh
    "1.000656": "KT",  # đăng ký khai tử
    "1.000894": "KH",  # đăng ký kết hôn
}
_GENDER = {"male": "1", "female": "2"}
# What XML 1.0 cannot carry at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class CivilStatusError(DomainError):
    """The civil-status software cannot take or answer this (a refusal, a missing record)."""


@dataclass(frozen=True)
class CivilStatusState:
    """Where the registration stands at the MoJ: 1 received, waiting; 2 needs a supplement
    (`text` says what); 3 eligible; 4 registered."""

    code: int
    text: str

    @property
    def needs_supplement(self) -> bool:
        return self.code == 2

    @property
    def registered(self) -> bool:
        return self.code == 4


@dataclass(frozen=True)
class CivilStatusResult:
    """The entry in the register book: number, book, page, date (and the module's book)."""

    number: str
    book: str
    page: str
    registered_on: datetime.date
    module: str


def module_for(procedure: Procedure) -> str | None:
    """The MoJ module of a civil-status procedure; None for every other procedure."""
    if procedure.sector.code != SECTOR:
        return None
    return MODULES.get(procedure.national_code)


def unit_code(dossier: Dossier) -> int:
    ward = dossier.receiving_agency.ward_code or dossier.competent_agency.ward_code
    if not ward:
        raise CivilStatusError(
            "Không xác định được mã đơn vị hành chính (xã, phường) của nơi tiếp nhận để gửi "
            "phần mềm hộ tịch.",
            code="hotich_unit_unknown",
        )
    return int(ward)


def _stamp(value: datetime.datetime) -> str:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d%H%M%S")


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    element.text = _clean(value)
    return element


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _form_value(kind: str, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if kind == "date" and isinstance(value, str):
        try:
            return _date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def dossier_xml(dossier: Dossier, *, module: str) -> str:
    """The `data` document: the applicant and the answered e-form fields, in schema order."""
    root = ET.Element("HoSoHoTich", {"module": module, "maHoSo": _clean(dossier.code or "")})
    applicant = ET.SubElement(root, "NguoiYeuCau")
    _add(applicant, "HoTen", dossier.applicant_name)
    _add(applicant, "NgaySinh", _date(dossier.applicant_birth_date))
    _add(applicant, "GioiTinh", _GENDER.get(dossier.applicant_gender, ""))
    _add(applicant, "SoDinhDanh", dossier.applicant_id_number)
    _add(applicant, "DienThoai", dossier.applicant_phone)
    _add(applicant, "Email", dossier.applicant_email)
    residence = ET.SubElement(applicant, "NoiCuTru")
    _add(residence, "MaXa", str(dossier.applicant_ward_code or ""))
    _add(residence, "ChiTiet", dossier.applicant_street)
    if dossier.submitter_name:
        submitter = ET.SubElement(root, "NguoiNopThay")
        _add(submitter, "HoTen", dossier.submitter_name)
        _add(submitter, "SoDinhDanh", dossier.submitter_id_number)
        _add(submitter, "DienThoai", dossier.submitter_phone)
    form = ET.SubElement(root, "ToKhai")
    schema = dossier.procedure_revision.content.get("form_schema") or {}
    fields = {field["name"]: field for field in schema.get("fields", [])}
    answers = dossier.form_data or {}
    names = [name for name in fields if name in answers]
    names += [name for name in answers if name not in fields]
    for name in names:
        value = answers[name]
        if value in (None, ""):
            continue
        field = fields.get(name, {})
        attributes = {"ma": str(name)}
        if field.get("label"):
            attributes["ten"] = str(field["label"])
        _add(form, "Truong", _form_value(str(field.get("type", "")), value), **attributes)
    return ET.tostring(root, encoding="unicode")


def register_payload(dossier: Dossier) -> dict[str, Any]:
    """The `dangKyHoTich` body of a received civil-status dossier."""
    module = module_for(dossier.procedure)
    if module is None:
        raise CivilStatusError(
            "Thủ tục này không liên thông với phần mềm hộ tịch (chỉ khai sinh, khai tử, kết hôn).",
            code="hotich_not_civil_status",
        )
    if not dossier.code or dossier.received_at is None:
        raise CivilStatusError(
            "Hồ sơ chưa được tiếp nhận nên chưa gửi được phần mềm hộ tịch.",
            code="hotich_not_received",
        )
    return {
        "maDonVi": unit_code(dossier),
        "module": module,
        "maHoSo": dossier.code,
        "ngayTiepNhan": _stamp(dossier.received_at),
        "data": dossier_xml(dossier, module=module),
    }


def _accepted(answer: http.Answer) -> http.Attempt:
    """A 2xx answer is a success only with `status` 1; anything else is a refusal."""
    attempt, body = answer.attempt, answer.body
    if attempt.outcome == "ok" and not (isinstance(body, dict) and body.get("status") == 1):
        status = body.get("status") if isinstance(body, dict) else None
        return dataclasses.replace(
            attempt, outcome="rejected", error=f"HTTP {attempt.status} status={status}"
        )
    return attempt


def send(message: OutboxMessage) -> http.Attempt:
    """Deliver a `hotich.register` outbox message."""
    return _accepted(
        http.call(
            SYSTEM,
            "POST",
            "/api/dangKyHoTich",
            body=message.payload,
            idempotency_key=message.idempotency_key,
        )
    )


def status(*, unit: int, dossier_code: str) -> http.Answer:
    return http.call(
        SYSTEM, "POST", "/api/traTrangThaiHoSo", body={"maDonVi": unit, "maHoSo": dossier_code}
    )


def result(*, unit: int, dossier_code: str) -> http.Answer:
    return http.call(
        SYSTEM, "POST", "/api/ketQuaDangKyHS", body={"maDonVi": unit, "maHoSo": dossier_code}
    )


def _refusal(answer: http.Answer) -> CivilStatusError:
    attempt = answer.attempt
    if attempt.status == 404:
        return CivilStatusError("Phần mềm hộ tịch chưa có hồ sơ này.", code="hotich_not_found")
    if attempt.status == 409:
        return CivilStatusError(
            "Hồ sơ chưa được đăng ký xong tại phần mềm hộ tịch.", code="hotich_not_registered"
        )
    return CivilStatusError(
        f"Phần mềm hộ tịch không trả lời được yêu cầu: {attempt.error or 'không rõ lỗi'}",
        code="hotich_answer",
    )


def _unreadable() -> CivilStatusError:
    return CivilStatusError("Phần mềm hộ tịch trả lời không đúng định dạng.", code="hotich_answer")


def state_from(answer: http.Answer) -> CivilStatusState:
    body = answer.body
    if answer.attempt.outcome != "ok":
        raise _refusal(answer)
    if not isinstance(body, dict) or body.get("status") not in {1, 2, 3, 4}:
        raise _unreadable()
    return CivilStatusState(code=int(body["status"]), text=str(body.get("moTa") or ""))


def result_from(answer: http.Answer) -> CivilStatusResult:
    body = answer.body
    if answer.attempt.outcome != "ok":
        raise _refusal(answer)
    if not isinstance(body, dict) or body.get("status") != 1:
        raise _unreadable()
    try:
        return CivilStatusResult(
            number=str(body["so"]),
            book=str(body["quyenSo"]),
            page=str(body["trangSo"]),
            registered_on=_date8(body["ngayDangKy"]),
            module=str(body.get("module") or ""),
        )
    except (KeyError, ValueError) as error:
        raise _unreadable() from error


def _date8(value: Any) -> datetime.date:
    """A `yyyyMMdd` date; ValueError when it is not one."""
    text = str(value)
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
