"""HOTICH, the Ministry of Justice civil-status software (khai sinh, khai tử, kết hôn).

Modelled on the Quảng Bình LGSP guide: register a dossier, poll its status, fetch the
registration numbers once the civil-status officer has signed. Time drives the progress:
status 1 (received) → 3 (eligible) after `processing_seconds`, → 4 (registered) after twice.
"""

import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from sims.auth import require_basic
from sims.core import (
    RECORD_UNCOMPLETE,
    ApiError,
    Knobs,
    Request,
    Response,
    Route,
    System,
    fingerprint,
    incorrect,
    invalid,
    json_response,
    missing,
    not_found,
    now_vn,
    parse_timestamp,
    require_int,
    require_str,
)

MODULES = {"KS": "khai sinh", "KT": "khai tử", "KH": "kết hôn"}
STATUS_TEXT = {
    1: "Đã tiếp nhận, chờ xử lý",
    3: "Đủ điều kiện đăng ký",
    4: "Đã đăng ký xong",
}
ENTRIES_PER_PAGE = 2  # the register book: two entries a page, a hundred pages a book
PAGES_PER_BOOK = 100


@dataclass
class Registration:
    ma_don_vi: int
    module: str
    ma_ho_so: str
    body_fp: str
    received: float  # monotonic, drives the status
    needs_more: str  # text of <CanBoSung>, "" when nothing is missing
    completed: float | None = None  # set by /_sim/hotich/complete
    result: dict[str, Any] | None = None  # book numbers, given when status 4 is first seen


def _parse_xml(data: str) -> ET.Element:
    try:
        return ET.fromstring(data)  # noqa: S314 - local sim; expat refuses entity bombs
    except ET.ParseError as exc:
        raise invalid("data", "tài liệu XML hợp lệ") from exc


class Hotich(System):
    name = "hotich"
    error_extra: ClassVar[dict[str, Any]] = {"status": 0}

    def __init__(self, knobs: Knobs, user: str, password: str) -> None:
        self.user = user
        self.password = password
        super().__init__(knobs)

    def clear(self) -> None:
        self.registrations: dict[str, Registration] = {}
        self.effects: Counter[str] = Counter()  # maHoSo → registrations that took effect
        self._numbers: Counter[tuple[int, str, int]] = Counter()  # (unit, module, year)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/hotich/api/dangKyHoTich", self.register, "hotich", "dangKy", True),
            Route("POST", "/hotich/api/traTrangThaiHoSo", self.status, "hotich", "trangThai"),
            Route("POST", "/hotich/api/ketQuaDangKyHS", self.result, "hotich", "ketQua"),
            Route("POST", "/_sim/hotich/complete/{ma}", self.complete, None, "hotich.complete"),
            Route("GET", "/_sim/hotich/received", self.received, None, "hotich.received"),
        ]

    def status_of(self, reg: Registration) -> int:
        if reg.completed is not None:
            return 4
        if reg.needs_more:
            return 2
        elapsed = time.monotonic() - reg.received
        step = self.knobs.processing_seconds
        if elapsed >= 2 * step:
            return 4
        return 3 if elapsed >= step else 1

    def _numbers_for(self, reg: Registration) -> dict[str, Any]:
        """The book entry, numbered in the order registrations are first seen finished."""
        if reg.result is None:
            today = now_vn()
            key = (reg.ma_don_vi, reg.module, today.year)
            self._numbers[key] += 1
            seq = self._numbers[key]
            book, entry = divmod(seq - 1, ENTRIES_PER_PAGE * PAGES_PER_BOOK)
            reg.result = {
                "so": str(seq),
                "quyenSo": f"{book + 1:02d}/{today.year}",
                "trangSo": str(entry // ENTRIES_PER_PAGE + 1),
                "ngayDangKy": today.strftime("%Y%m%d"),
                "module": reg.module,
            }
        return reg.result

    def _lookup(self, req: Request) -> Registration:
        require_basic(req, self.user, self.password)
        body = req.json_object()
        unit = require_int(body, "maDonVi")
        ma = require_str(body, "maHoSo")
        reg = self.registrations.get(ma)
        if reg is None or reg.ma_don_vi != unit:
            raise not_found(f"Không tìm thấy hồ sơ {ma} tại đơn vị {unit}")
        return reg

    def register(self, req: Request) -> Response:
        require_basic(req, self.user, self.password)
        body = req.json_object()
        unit = require_int(body, "maDonVi")
        module = require_str(body, "module")
        if module not in MODULES:
            raise invalid("module", "KS, KT hoặc KH")
        ma = require_str(body, "maHoSo")
        if parse_timestamp(body.get("ngayTiepNhan"), "ngayTiepNhan") is None:
            raise missing("ngayTiepNhan")
        root = _parse_xml(require_str(body, "data"))
        body_fp = fingerprint(body)
        existing = self.registrations.get(ma)
        answer = json_response({"status": 1, "message": "Tiếp nhận thành công"})
        if existing is not None:
            if existing.body_fp == body_fp:
                return answer
            # A dossier asked for more papers may be sent again, corrected.
            if self.status_of(existing) != 2:
                raise incorrect("Hồ sơ đã được đăng ký với nội dung khác", 409)
        needs_more = " ".join(
            (el.text or "").strip() for el in root.iter("CanBoSung") if (el.text or "").strip()
        )
        self.registrations[ma] = Registration(
            unit, module, ma, body_fp, time.monotonic(), needs_more
        )
        self.effects[ma] += 1
        return answer

    def status(self, req: Request) -> Response:
        reg = self._lookup(req)
        code = self.status_of(reg)
        if code == 4:
            self._numbers_for(reg)  # number the entry when it is first seen finished
        text = reg.needs_more if code == 2 else STATUS_TEXT[code]
        return json_response({"status": code, "moTa": text})

    def result(self, req: Request) -> Response:
        reg = self._lookup(req)
        if self.status_of(reg) != 4:
            raise ApiError(409, RECORD_UNCOMPLETE, "Hồ sơ chưa đăng ký xong")
        return json_response({"status": 1, **self._numbers_for(reg)})

    def complete(self, req: Request) -> Response:
        reg = self.registrations.get(req.params["ma"])
        if reg is None:
            raise not_found(f"Không tìm thấy hồ sơ {req.params['ma']}")
        if reg.completed is None:
            reg.completed = time.monotonic()
        return json_response({"status": 4, "moTa": STATUS_TEXT[4], **self._numbers_for(reg)})

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "registrations": {
                    ma: {
                        "maDonVi": reg.ma_don_vi,
                        "module": reg.module,
                        "status": self.status_of(reg),
                        "result": reg.result,
                    }
                    for ma, reg in self.registrations.items()
                },
                "effects": dict(self.effects),
                "requests": self.requests["dangKy"],
            }
        )
