"""DVCQG, the National Public Service Portal: dossier sync (Cổng Dịch vụ công quốc gia).

Field names are the portal's own (hồ sơ đồng bộ: MaHoSo, TrangThaiHoSo, QuaTrinhXuLy…).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sims import dvcqg_pages
from sims.auth import TokenStore, issue_token, require_bearer
from sims.core import (
    Idempotency,
    Knobs,
    Request,
    Response,
    Route,
    System,
    fingerprint,
    get_int,
    get_list,
    get_str,
    html_response,
    idempotency_key,
    incorrect,
    invalid,
    is_missing,
    json_response,
    not_found,
    now_vn,
    parse_timestamp,
    require_str,
)

MA_TTHC_RE = re.compile(r"[0-9]\.[0-9]{6}")
STATUS = range(1, 11)
TEXT_FIELDS = (
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "MaDoiTuong",
    "SoGiayToChuHoSo",
    "ThongTinKhac",
    "Email",
    "Fax",
    "SoDienThoai",
    "TrichYeuHoSo",
    "ThongTinTra",
    "DonViXuLy",
    "GhiChu",
)
LIST_FIELDS = (
    "TaiLieuNop",
    "DanhSachLePhi",
    "DanhSachTepDinhKemKhac",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
    "DinhDanhCHS",
    "DSKetNoiCSDL",
    "QuaTrinhXuLy",
)
STEP_TEXT_FIELDS = ("MaHoSo", "NguoiXuLy", "ChucDanh", "PhongBanXuLy", "NoiDungXuLy")


def _is_date_field(name: str) -> bool:
    return name.startswith("Ngay") or name == "ThoiDiemXuLy"


def _check_dates(obj: dict[str, Any], prefix: str = "") -> None:
    for name, value in obj.items():
        if _is_date_field(name):
            parse_timestamp(value, prefix + name)


def _check_fees(fees: list[Any]) -> None:
    for i, fee in enumerate(fees):
        label = f"DanhSachLePhi[{i}]"
        if not isinstance(fee, dict):
            raise invalid(label, "đối tượng")
        for name in ("TenPhiLePhi", "MaPhiLePhi"):
            get_str(fee, name, label=f"{label}.{name}")
        price = fee.get("Gia")
        if not is_missing(price) and (
            isinstance(price, bool) or not isinstance(price, int | float)
        ):
            raise invalid(f"{label}.Gia", "số")


def _check_steps(steps: list[Any], ma_ho_so: str) -> None:
    for i, step in enumerate(steps):
        label = f"QuaTrinhXuLy[{i}]"
        if not isinstance(step, dict):
            raise invalid(label, "đối tượng")
        for name in STEP_TEXT_FIELDS:
            get_str(step, name, label=f"{label}.{name}")
        get_int(step, "TrangThai", STATUS, required=True, label=f"{label}.TrangThai")
        _check_dates(step, f"{label}.")
        if not is_missing(step.get("MaHoSo")) and step["MaHoSo"] != ma_ho_so:
            raise incorrect(f"{label}.MaHoSo không khớp với MaHoSo của hồ sơ")


def validate(body: dict[str, Any]) -> str:
    """Checks a dongbo body like the portal does; returns MaHoSo."""
    ma_ho_so = require_str(body, "MaHoSo")
    if not MA_TTHC_RE.fullmatch(require_str(body, "MaTTHC")):
        raise invalid("MaTTHC", "dạng 1.234567")
    get_int(body, "KenhThucHien", range(1, 4), required=True)
    get_str(body, "ChuHoSo", required=True)
    get_int(body, "LoaiDoiTuong", range(1, 5), required=True)
    get_int(body, "TrangThaiHoSo", STATUS, required=True)
    for name in TEXT_FIELDS:
        get_str(body, name)
    for name in ("HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID"):
        get_int(body, name, range(2))
    get_int(body, "DuocThanhToanTrucTuyen")
    for name in LIST_FIELDS:
        get_list(body, name)
    _check_dates(body)
    _check_fees(get_list(body, "DanhSachLePhi"))
    _check_steps(get_list(body, "QuaTrinhXuLy"), ma_ho_so)
    received = parse_timestamp(body.get("NgayTiepNhan"), "NgayTiepNhan")
    due = parse_timestamp(body.get("NgayHenTra"), "NgayHenTra")
    if received and due and due < received:
        raise incorrect("NgayHenTra không được trước NgayTiepNhan")
    return ma_ho_so


def _step_key(step: dict[str, Any]) -> tuple[str, str, str]:
    # The portal tells steps apart by when, what and which status.
    when, what, status = (step.get(k) for k in ("ThoiDiemXuLy", "NoiDungXuLy", "TrangThai"))
    return (str(when or ""), str(what or ""), str(status or ""))


@dataclass
class Dossier:
    payload: dict[str, Any]  # the latest body, without QuaTrinhXuLy
    synced_at: dt.datetime
    seq: int  # order of the last sync, for "newest first"
    steps: list[dict[str, Any]] = field(default_factory=list)
    step_keys: set[tuple[str, str, str]] = field(default_factory=set)

    def add_steps(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            key = _step_key(step)
            if key not in self.step_keys:
                self.step_keys.add(key)
                self.steps.append(dict(step))


class Dvcqg(System):
    name = "dvcqg"

    def __init__(self, knobs: Knobs, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        super().__init__(knobs)

    def clear(self) -> None:
        self.tokens = TokenStore()
        self.dossiers: dict[str, Dossier] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.idempotency = Idempotency()
        self._seq = 0

    @property
    def effects(self) -> dict[str, int]:
        return dict(self.idempotency.effects)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/dvcqg/oauth/token", self.token, "dvcqg", "token"),
            Route("POST", "/dvcqg/api/hoso/dongbo", self.dongbo, "dvcqg", "dongbo", mutating=True),
            Route("GET", "/dvcqg/api/hoso/{ma}", self.get_dossier, "dvcqg", "hoso"),
            Route("GET", "/dvcqg", self.page_redirect, "dvcqg", "page"),
            Route("GET", "/dvcqg/", self.page_index, "dvcqg", "page"),
            Route("GET", "/dvcqg/hoso/{ma}", self.page_dossier, "dvcqg", "page"),
            Route("GET", "/_sim/dvcqg/received", self.received, None, "dvcqg.received"),
        ]

    def token(self, req: Request) -> Response:
        return issue_token(
            req, self.client_id, self.client_secret, self.tokens, self.knobs.token_ttl_s
        )

    def dongbo(self, req: Request) -> Response:
        require_bearer(req, self.tokens)
        key = idempotency_key(req)
        body = req.json_object()
        body_fp = fingerprint(body)
        replay = self.idempotency.replay(key, body_fp)
        if replay is not None:
            return replay
        ma_ho_so = validate(body)
        now = now_vn()
        self._seq += 1
        payload = {k: v for k, v in body.items() if k != "QuaTrinhXuLy"}
        dossier = self.dossiers.get(ma_ho_so)
        if dossier is None:
            dossier = self.dossiers[ma_ho_so] = Dossier(payload, now, self._seq)
        else:
            dossier.payload, dossier.synced_at, dossier.seq = payload, now, self._seq
        dossier.add_steps(get_list(body, "QuaTrinhXuLy"))
        self.deliveries.append(
            {
                "idempotency_key": key,
                "MaHoSo": ma_ho_so,
                "TrangThaiHoSo": body["TrangThaiHoSo"],
                "at": now.isoformat(timespec="milliseconds"),
            }
        )
        answer = json_response(
            {"error_code": "0", "message": "Đồng bộ thành công", "MaHoSo": ma_ho_so}
        )
        self.idempotency.record(key, body_fp, answer)
        return answer

    def _find(self, ma: str) -> Dossier:
        dossier = self.dossiers.get(ma)
        if dossier is None:
            raise not_found(f"Không tìm thấy hồ sơ {ma}")
        return dossier

    def get_dossier(self, req: Request) -> Response:
        require_bearer(req, self.tokens)
        dossier = self._find(req.params["ma"])
        return json_response(
            {"error_code": "0", "HoSo": {**dossier.payload, "QuaTrinhXuLy": dossier.steps}}
        )

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "dossiers": {
                    ma: {**d.payload, "steps": d.steps} for ma, d in self.dossiers.items()
                },
                "deliveries": self.deliveries,
                "effects": self.effects,
                "requests": self.requests["dongbo"],
            }
        )

    def page_redirect(self, req: Request) -> Response:
        return Response(301, b"", headers={"Location": "/dvcqg/"})

    def page_index(self, req: Request) -> Response:
        newest = sorted(self.dossiers.values(), key=lambda d: d.seq, reverse=True)[:200]
        return html_response(dvcqg_pages.index(newest, len(self.dossiers)))

    def page_dossier(self, req: Request) -> Response:
        dossier = self.dossiers.get(req.params["ma"])
        if dossier is None:
            return html_response(dvcqg_pages.not_found(req.params["ma"]), 404)
        return html_response(dvcqg_pages.dossier(dossier))
