"""DVCQG, the National Public Service Portal: dossier sync (Cổng Dịch vụ công quốc gia).

Field names are the portal's own (hồ sơ đồng bộ: MaHoSo, TrangThaiHoSo, QuaTrinhXuLy…).

The portal's citizens also submit dossiers here (`/dvcqg/nop-ho-so`): the portal hands each
to the province's one-stop system (MotCua's inbound bus, `MotcuaClient`) and follows it by
the sync, matched by its own reference (`MaHoSoDVCQG`).
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import re
import secrets
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from sims import dvcqg_pages
from sims.auth import TokenStore, issue_token, require_bearer
from sims.core import (
    DATA_TYPE_INVALID,
    VN_TZ,
    ApiError,
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
    "MaHoSoDVCQG",
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


T = TypeVar("T")


class Dvcqg(System):
    name = "dvcqg"

    def __init__(
        self,
        knobs: Knobs,
        client_id: str,
        client_secret: str,
        motcua: MotcuaClient | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # MotCua's bus, where citizens' dossiers go; and the server's lock, let go while
        # waiting for MotCua (which may call the simulators meanwhile).
        self.motcua = motcua
        self.lock = lock
        super().__init__(knobs)

    def clear(self) -> None:
        self.tokens = TokenStore()
        self.dossiers: dict[str, Dossier] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.idempotency = Idempotency()
        self._seq = 0
        self.submissions: dict[str, Submission] = {}
        if self.motcua is not None:
            self.motcua.forget()

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
            Route("GET", "/dvcqg/nop-ho-so", self.citizen_form, "dvcqg", "citizen"),
            Route("POST", "/dvcqg/nop-ho-so", self.citizen_submit, "dvcqg", "citizen"),
            Route("POST", "/dvcqg/nop-ho-so/gui-lai", self.citizen_resend, "dvcqg", "citizen"),
            Route("GET", "/dvcqg/nop-ho-so/{ma}", self.citizen_result, "dvcqg", "citizen"),
            Route("GET", "/dvcqg/ho-so-da-nop", self.citizen_list, "dvcqg", "citizen"),
            Route("GET", "/_sim/dvcqg/received", self.received, None, "dvcqg.received"),
            Route("GET", "/_sim/dvcqg/submitted", self.submitted, None, "dvcqg.submitted"),
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

    # ------------------------------------------------------------------------- citizen side

    def _page_args(self) -> dict[str, Any]:
        return {"desks": DESKS, "wards": WARDS, "return_methods": RETURN_METHODS}

    def citizen_form(self, req: Request) -> Response:
        code = req.query.get("ma", "")
        if not code:
            return html_response(dvcqg_pages.choose(OFFERS))
        offer = OFFERS_BY_CODE.get(code)
        if offer is None:
            return html_response(dvcqg_pages.choose(OFFERS, UNKNOWN_OFFER), 400)
        values = {**DEMO_CITIZEN, "don_vi": offer.desk}
        for item in offer.fields:
            if item.prefill:
                values[f"bm_{item.name}"] = DEMO_CITIZEN[item.prefill]
        return html_response(dvcqg_pages.submit_form(offer, values, {}, **self._page_args()))

    def citizen_submit(self, req: Request) -> Response:
        form, files = parse_form(req)
        offer = OFFERS_BY_CODE.get(form.get("ma", ""))
        if offer is None:
            return html_response(dvcqg_pages.choose(OFFERS, UNKNOWN_OFFER), 400)
        errors, data = check_submission(offer, form, files)
        if errors:
            page = dvcqg_pages.submit_form(offer, form, errors, **self._page_args())
            return html_response(page, 400)
        now = now_vn()
        reference = national_reference(now)
        while reference in self.submissions:
            reference = national_reference(now)
        upload = files.get("tep") or Upload(
            f"{offer.component}-{reference}.pdf",
            sample_pdf(
                offer.component_name,
                [
                    f"Thu tuc {offer.code}: {offer.name}",
                    f"Nguoi nop: {form['ho_ten']}",
                    f"Ma ho so tren Cong: {reference}",
                    "Ban mau do Cong Dich vu cong quoc gia (mo phong) tao.",
                ],
            ),
        )
        body = submission_body(reference, offer, form, data, upload)
        submission = Submission(
            reference, offer, body["ChuHoSo"]["HoTen"], body["MaDonViTiepNhan"], now, body
        )
        self.submissions[reference] = submission
        self._send(submission)
        if submission.http_status and not submission.accepted and submission.http_status < 500:
            # MotCua refused what was filled in: the form again, with its reason on top.
            page = dvcqg_pages.submit_form(
                offer, form, {}, refusal=submission.problem, **self._page_args()
            )
            return html_response(page, 400)
        return self._see_result(reference)

    def citizen_resend(self, req: Request) -> Response:
        reference = req.form().get("ma_ho_so", "")
        submission = self.submissions.get(reference)
        if submission is None:
            return html_response(dvcqg_pages.submission_not_found(reference), 404)
        if not submission.accepted:
            self._send(submission)  # the same body and key: never a second dossier
        return self._see_result(reference)

    def citizen_result(self, req: Request) -> Response:
        submission = self.submissions.get(req.params["ma"])
        if submission is None:
            return html_response(dvcqg_pages.submission_not_found(req.params["ma"]), 404)
        synced = self._synced().get(submission.reference)
        return html_response(dvcqg_pages.submit_result(submission, synced))

    def citizen_list(self, req: Request) -> Response:
        synced = self._synced()
        rows = [(s, synced.get(s.reference)) for s in reversed(self.submissions.values())]
        return html_response(dvcqg_pages.submitted(rows))

    def submitted(self, req: Request) -> Response:
        synced = self._synced()
        return json_response(
            {"submitted": [s.to_json(synced.get(s.reference)) for s in self.submissions.values()]}
        )

    def _see_result(self, reference: str) -> Response:
        return Response(303, b"", headers={"Location": f"/dvcqg/nop-ho-so/{quote(reference)}"})

    def _synced(self) -> dict[str, Dossier]:
        """Dossiers the province synced back, by the portal's own reference."""
        found: dict[str, Dossier] = {}
        for dossier in self.dossiers.values():
            reference = dossier.payload.get("MaHoSoDVCQG")
            if isinstance(reference, str) and reference:
                found[reference] = dossier
        return found

    def _unlocked(self, call: Callable[[], T]) -> T:
        """Run `call` without the server's lock (handlers run holding it): MotCua may call the
        simulators while it answers (the population database, the sync)."""
        if self.lock is None:
            return call()
        self.lock.release()
        try:
            return call()
        finally:
            self.lock.acquire()

    def _send(self, submission: Submission) -> None:
        client = self.motcua
        if client is None:
            submission.problem = "Cổng chưa được cấu hình kết nối đến hệ thống một cửa của tỉnh."
            return

        def call() -> tuple[int, dict[str, Any], str]:
            try:
                status, answer = client.submit(submission.body, submission.reference)
            except MotcuaRefusal as refusal:
                return (
                    0,
                    refusal.body,
                    "Cổng chưa kết nối được hệ thống một cửa của tỉnh (không cấp được mã "
                    f"truy cập, lỗi {refusal.status}); hồ sơ chưa được gửi. Vui lòng thử lại sau.",
                )
            except (OSError, http.client.HTTPException):
                return (
                    0,
                    {},
                    "Không kết nối được hệ thống một cửa của tỉnh; hồ sơ chưa được gửi. "
                    "Vui lòng bấm “Gửi lại” sau ít phút.",
                )
            return status, answer, ""

        status, answer, problem = self._unlocked(call)
        submission.http_status, submission.answer = status, answer
        if problem:
            submission.problem = problem
        elif submission.accepted:
            submission.problem = ""
        else:
            submission.problem = citizen_message(status, answer)


# ----------------------------------------------------------------------------- citizen side
#
# The portal's own citizens submit here (GET/POST /dvcqg/nop-ho-so); the portal hands each
# dossier to the province's one-stop system through its bus (MotCua's POST /lgsp/v1/dossiers,
# OAuth2 client credentials) and learns what becomes of it from the sync above, matched by
# its own reference (MaHoSoDVCQG).

SUBMIT_PATH = "/lgsp/v1/dossiers"
TOKEN_PATH = "/lgsp/oauth/token/"  # noqa: S105 - an address, not a secret
UNKNOWN_OFFER = "Chọn một thủ tục trong danh sách"
MOTCUA_TIMEOUT_S = 30.0
# The file a citizen attaches here goes on as base64 inside MotCua's JSON body, which the
# demo's MotCua reads up to Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): 1.5 MB of file fits.
MAX_UPLOAD = 1536 * 1024
UPLOAD_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
ID_NUMBER_RE = re.compile(r"[0-9]{12}")
PHONE_RE = re.compile(r"0[0-9]{9}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class FormField:
    """One field of a procedure's e-form (DuLieuBieuMau), as MotCua's catalogue has it."""

    name: str
    label: str
    kind: str  # text | textarea | date | select | email | checkbox
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    prefill: str = ""  # the applicant's field it starts from: ho_ten, ngay_sinh, ...


@dataclass(frozen=True)
class Offer:
    """A procedure the portal's citizens may submit online here (from the demo catalogue,
    egov/demo/procedures.json: fully online, one mandatory paper)."""

    code: str
    name: str
    level: str  # "xã" | "tỉnh"
    component: str
    component_name: str
    desk: str  # the desk offered first
    fields: tuple[FormField, ...] = ()


LONG_XUYEN_DESK = "001.03.50.H01"
PROVINCE_DESK = "000.00.31.H01"
DESKS = (
    (LONG_XUYEN_DESK, "Trung tâm Phục vụ hành chính công phường Long Xuyên"),
    (PROVINCE_DESK, "Trung tâm Phục vụ hành chính công tỉnh An Giang"),
    ("", "Để hệ thống một cửa của tỉnh chọn theo nơi cư trú"),
)
WARDS = (
    (30307, "phường Long Xuyên"),
    (30301, "phường Mỹ Thới"),
    (30316, "phường Châu Đốc"),
    (30325, "phường Vĩnh Tế"),
    (30376, "phường Tân Châu"),
)
# HinhThucNhanKetQua, as MotCua's sync reports HinhThuc.
RETURN_METHODS = (
    (1, "Nhận trực tiếp tại Bộ phận Một cửa"),
    (2, "Nhận kết quả điện tử trên Cổng"),
    (3, "Nhận qua bưu chính công ích"),
)
OFFERS = (
    Offer(
        code="1.004873",
        name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        level="xã",
        component="TP01",
        component_name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        desk=LONG_XUYEN_DESK,
        fields=(
            FormField("full_name", "Họ, chữ đệm và tên người yêu cầu", "text", True, (), "ho_ten"),
            FormField("birth_date", "Ngày, tháng, năm sinh", "date", True, (), "ngay_sinh"),
            FormField("id_number", "Số định danh cá nhân", "text", True, (), "so_dinh_danh"),
            FormField("residence", "Nơi cư trú", "textarea", True, (), "dia_chi"),
            FormField(
                "marital_status",
                "Tình trạng hôn nhân hiện tại",
                "select",
                True,
                (
                    ("chua_ket_hon", "Chưa đăng ký kết hôn với ai"),
                    ("ly_hon", "Đã ly hôn"),
                    ("vo_chong_chet", "Vợ/chồng đã chết"),
                    ("dang_co_vo_chong", "Đang có vợ/chồng"),
                ),
            ),
            FormField(
                "purpose",
                "Mục đích sử dụng Giấy xác nhận",
                "select",
                True,
                (
                    ("ket_hon", "Đăng ký kết hôn"),
                    ("mua_ban_tai_san", "Giao dịch tài sản, vay vốn"),
                    ("khac", "Mục đích khác"),
                ),
            ),
            FormField(
                "intended_spouse_name",
                "Họ tên người dự định kết hôn (nếu mục đích là kết hôn)",
                "text",
            ),
            FormField("requester_email", "Thư điện tử", "email", False, (), "email"),
        ),
    ),
    Offer(
        code="2.000635",
        name="Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
        level="xã",
        component="TP01",
        component_name="Tờ khai cấp bản sao Trích lục hộ tịch",
        desk=LONG_XUYEN_DESK,
    ),
    Offer(
        code="1.012789",
        name="Cung cấp thông tin, dữ liệu đất đai",
        level="tỉnh",
        component="TP01",
        component_name="Phiếu yêu cầu cung cấp thông tin, dữ liệu đất đai",
        desk=PROVINCE_DESK,
    ),
)
OFFERS_BY_CODE = {offer.code: offer for offer in OFFERS}
# The demo citizen signed in on the portal (level-2 VNeID): what the portal already knows.
DEMO_CITIZEN = {
    "ho_ten": "Nguyễn Thị Ánh Tuyết",
    "so_dinh_danh": "089301000123",
    "ngay_sinh": "2001-05-17",
    "gioi_tinh": "0",
    "so_dien_thoai": "0912345678",
    "email": "tuyet@example.vn",
    "ma_xa": "30307",
    "dia_chi": "12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
    "vneid": "1",
    "hinh_thuc": "2",
}


@dataclass
class Upload:
    name: str
    content: bytes


@dataclass
class Submission:
    """What a citizen submitted here, the body sent on to MotCua, and its answer."""

    reference: str  # MaHoSoDVCQG
    offer: Offer
    applicant: str
    desk: str
    at: dt.datetime
    body: dict[str, Any]  # as sent to MotCua (the files as base64)
    http_status: int = 0  # 0: no answer (not sent, or MotCua unreachable)
    answer: dict[str, Any] = field(default_factory=dict)
    problem: str = ""  # in Vietnamese, for the citizen

    @property
    def accepted(self) -> bool:
        return self.http_status == 200 and self.answer.get("error_code") == "0"

    def to_json(self, synced: Dossier | None) -> dict[str, Any]:
        return {
            "MaHoSoDVCQG": self.reference,
            "MaTTHC": self.offer.code,
            "HoTen": self.applicant,
            "MaDonViTiepNhan": self.desk,
            "at": self.at.isoformat(timespec="milliseconds"),
            "accepted": self.accepted,
            "http_status": self.http_status,
            "answer": self.answer,
            "problem": self.problem,
            "files": [
                {"MaThanhPhanHoSo": f["MaThanhPhanHoSo"], "TenTep": f["TenTep"]}
                for f in self.body.get("TepDinhKem", [])
            ],
            "synced": None
            if synced is None
            else {
                "MaHoSo": synced.payload.get("MaHoSo"),
                "TrangThaiHoSo": synced.payload.get("TrangThaiHoSo"),
                "NoiNopHoSo": synced.payload.get("NoiNopHoSo"),
            },
        }


def national_reference(moment: dt.datetime) -> str:
    """The portal's reference of a new dossier: G22.99-yyMMdd-NNNNNNNN (eight random digits,
    so a restarted simulator does not hand out a reference MotCua already holds)."""
    return f"G22.99-{moment.astimezone(VN_TZ):%y%m%d}-{secrets.randbelow(10**8):08d}"


def sample_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, ASCII only: Vietnamese letters lose their
    marks), for a citizen who attaches no file of their own."""

    def ascii_text(text: str) -> str:
        flat = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        plain = flat.encode("ascii", "ignore").decode("ascii")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT", "/F1 16 Tf", "60 780 Td", f"({ascii_text(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        commands += ["0 -22 Td", f"({ascii_text(line)}) Tj"]
    commands.append("ET")
    content = "\n".join(commands).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def parse_form(req: Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """The fields and files of a form, urlencoded or multipart/form-data."""
    content_type = req.header("Content-Type")
    if not content_type.lower().startswith("multipart/form-data"):
        return req.form(), {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=email_policy.HTTP).parsebytes(head + req.body)
    if not message.is_multipart():
        raise ApiError(400, DATA_TYPE_INVALID, "Nội dung biểu mẫu không hợp lệ")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        if not isinstance(part, EmailMessage):
            continue
        name = _utf8(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if filename or content:  # a file input left empty sends an empty part
                files[name] = Upload(_utf8(filename), content)
            continue
        try:
            fields[name] = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, DATA_TYPE_INVALID, "Nội dung biểu mẫu không hợp lệ") from exc
    return fields, files


def _utf8(value: Any) -> str:
    """A header parameter as the browser sent it (raw UTF-8, which the email parser keeps as
    surrogate escapes)."""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    text = str(value or "")
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return text


def _date_iso(value: str) -> str | None:
    """YYYY-MM-DD (a date input) or dd/mm/yyyy (typed) as YYYY-MM-DD; None if neither."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date().isoformat()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def check_submission(
    offer: Offer, form: dict[str, str], files: dict[str, Upload]
) -> tuple[dict[str, str], dict[str, Any]]:
    """The portal's own checks of its form: (errors by form field, e-form data). MotCua
    checks everything again; these catch what a citizen mistypes before it leaves."""
    errors: dict[str, str] = {}
    if not form.get("ho_ten", "").strip():
        errors["ho_ten"] = "Nhập họ, chữ đệm và tên"
    if not ID_NUMBER_RE.fullmatch(form.get("so_dinh_danh", "").strip()):
        errors["so_dinh_danh"] = "Số định danh cá nhân gồm đúng 12 chữ số"
    if _date_iso(form.get("ngay_sinh", "")) is None:
        errors["ngay_sinh"] = "Nhập ngày sinh dạng ngày/tháng/năm, ví dụ 17/05/2001"
    if form.get("gioi_tinh") not in {"0", "1"}:
        errors["gioi_tinh"] = "Chọn giới tính"
    phone = form.get("so_dien_thoai", "").strip()
    if phone and not PHONE_RE.fullmatch(phone):
        errors["so_dien_thoai"] = "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0"
    mail = form.get("email", "").strip()
    if mail and not EMAIL_RE.fullmatch(mail):
        errors["email"] = "Nhập thư điện tử đúng dạng, ví dụ ten@example.vn"
    if form.get("ma_xa", "") not in {str(code) for code, _ in WARDS}:
        errors["ma_xa"] = "Chọn xã, phường nơi cư trú"
    if form.get("hinh_thuc") not in {str(code) for code, _ in RETURN_METHODS}:
        errors["hinh_thuc"] = "Chọn cách nhận kết quả"
    if form.get("don_vi", "") not in {code for code, _ in DESKS}:
        errors["don_vi"] = "Chọn nơi tiếp nhận hồ sơ"
    upload = files.get("tep")
    if upload is not None:
        extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in UPLOAD_TYPES:
            errors["tep"] = "Tệp phải là PDF, JPG hoặc PNG"
        elif not upload.content:
            errors["tep"] = "Tệp đã chọn rỗng"
        elif len(upload.content) > MAX_UPLOAD:
            errors["tep"] = "Tệp lớn quá 1,5 MB"
    data: dict[str, Any] = {}
    for item in offer.fields:
        raw = form.get(f"bm_{item.name}", "").strip()
        key = f"bm_{item.name}"
        if item.kind == "checkbox":
            data[item.name] = raw in {"1", "on", "true"}
            continue
        if not raw:
            if item.required:
                errors[key] = f"Nhập {item.label[0].lower()}{item.label[1:]}"
            continue
        if item.kind == "date":
            iso = _date_iso(raw)
            if iso is None:
                errors[key] = "Nhập ngày dạng ngày/tháng/năm"
                continue
            data[item.name] = iso
        elif item.kind == "select" and raw not in {value for value, _ in item.choices}:
            errors[key] = "Chọn một trong các lựa chọn"
        elif item.kind == "email" and not EMAIL_RE.fullmatch(raw):
            errors[key] = "Nhập thư điện tử đúng dạng, ví dụ ten@example.vn"
        else:
            data[item.name] = raw
    return errors, data


def submission_body(
    reference: str, offer: Offer, form: dict[str, str], data: dict[str, Any], upload: Upload
) -> dict[str, Any]:
    """The dossier as the portal hands it to the province (MotCua's field names)."""
    birth = _date_iso(form["ngay_sinh"]) or ""
    applicant = {
        "LoaiDoiTuong": 1,
        "HoTen": " ".join(form["ho_ten"].split()),
        "SoDinhDanh": form["so_dinh_danh"].strip(),
        "NgaySinh": birth.replace("-", ""),
        "GioiTinh": int(form["gioi_tinh"]),
        "SoDienThoai": form.get("so_dien_thoai", "").strip(),
        "Email": form.get("email", "").strip(),
        "MaXa": int(form["ma_xa"]),
        "DiaChi": form.get("dia_chi", "").strip(),
    }
    return {
        "MaHoSoDVCQG": reference,
        "MaTTHC": offer.code,
        "MaDonViTiepNhan": form.get("don_vi", ""),
        "ChuHoSo": applicant,
        "TaiKhoanDuocXacThucVoiVNeID": 1 if form.get("vneid") in {"1", "on"} else 0,
        "HinhThucNhanKetQua": int(form["hinh_thuc"]),
        "DuLieuBieuMau": data,
        "TepDinhKem": [
            {
                "MaThanhPhanHoSo": offer.component,
                "TenTep": upload.name,
                "NoiDungBase64": base64.b64encode(upload.content).decode("ascii"),
            }
        ],
    }


class MotcuaClient:
    """The portal's side of the bus: a token from MotCua's /lgsp/oauth/token/ (client
    credentials, kept until it is about to expire) and the dossier posted to
    /lgsp/v1/dossiers with its reference as the Idempotency-Key, so sending it again (after
    a time-out) can never make a second dossier."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._token = ""
        self._expires = 0.0

    def forget(self) -> None:
        self._token, self._expires = "", 0.0

    def _post(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        # The address is the demo's own MotCua (SIMS_MOTCUA_URL), http:// on a laptop.
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path, data=data, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=MOTCUA_TIMEOUT_S) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                status, raw = error.code, error.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        return status, body if isinstance(body, dict) else {}

    def token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": "dossier.submit",
            }
        ).encode("ascii")
        status, body = self._post(
            TOKEN_PATH, form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        token = body.get("access_token")
        if status != 200 or not isinstance(token, str):
            raise MotcuaRefusal(status, body)
        lifetime = body.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else 300
        self._token, self._expires = token, time.monotonic() + max(seconds - 30, 1)
        return token

    def submit(self, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        for attempt in range(2):
            headers = {
                "Authorization": f"Bearer {self.token()}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            status, answer = self._post(SUBMIT_PATH, data, headers)
            if status == 401 and attempt == 0:
                self.forget()  # expired or revoked: one new token, one more try
                continue
            return status, answer
        return status, answer


class MotcuaRefusal(Exception):
    """MotCua would not issue a token."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"token refused: {status}")
        self.status = status
        self.body = body


def citizen_message(status: int, answer: dict[str, Any]) -> str:
    """MotCua's refusal for the citizen: its Vietnamese message without the LGSP code name."""
    message = str(answer.get("message") or "")
    name, sep, text = message.partition(": ")
    if sep and name.isupper() and "_" in name:
        message = text
    if message:
        return message
    return f"Hệ thống một cửa của tỉnh trả lời lỗi {status}; vui lòng thử lại sau."
