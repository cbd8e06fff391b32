"""CSDLDC, the National Population Database: citizen lookup by personal ID number.

Nobody is stored: a person is derived from the ID number alone, so the same number always
gives the same person, in every run and on every machine. Digits 4–6 follow the real rules
(gender and century, then the birth year); the rest comes from a SHA-256 of the number.
"""

import calendar
import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any

from sims.auth import require_api_key
from sims.core import (
    Knobs,
    Request,
    Response,
    Route,
    System,
    get_str,
    invalid,
    json_response,
    not_found,
    now_vn,
    parse_date,
    require_str,
)

ID_RE = re.compile(r"[0-9]{12}")
# The merged An Giang (2025); the ward codes are the national ones after the merger.
PROVINCE_CODE = "91"
PROVINCE_NAME = "tỉnh An Giang"
# The fourth digit → (gender "1" male / "2" female, first year of the century).
GENDER_CENTURY = {"0": ("1", 1900), "1": ("2", 1900), "2": ("1", 2000), "3": ("2", 2000)}

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi",
    "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lâm", "Đinh", "Châu", "Lý", "Thái",
)  # fmt: skip
MIDDLE_NAMES = {
    "1": ("Văn", "Minh", "Hữu", "Quốc", "Thanh", "Đức", "Công", "Hoàng", "Tấn", "Trọng"),
    "2": ("Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bích", "Hồng", "Thảo", "Diệu"),
}
GIVEN_NAMES = {
    "1": (
        "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc",
        "Quang", "Sơn", "Tài", "Thắng", "Trí", "Tuấn", "Vinh", "Khoa", "Lộc", "Nghĩa",
    ),
    "2": (
        "Anh", "Châu", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
        "Ngân", "Nhung", "Phương", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Xuân", "Diễm",
    ),
}  # fmt: skip
# (ward code, name in an address, real streets of that ward).
WARDS = (
    (30307, "phường Long Xuyên", ("Trần Hưng Đạo", "Lý Thái Tổ", "Nguyễn Huệ", "Hai Bà Trưng")),
    (30292, "phường Bình Đức", ("Trần Hưng Đạo", "Bùi Văn Danh", "Phạm Cự Lượng")),
    (30301, "phường Mỹ Thới", ("Trần Hưng Đạo", "Nguyễn Thái Học", "Lê Văn Nhung")),
    (30316, "phường Châu Đốc", ("Thủ Khoa Nghĩa", "Nguyễn Văn Thoại", "Lê Lợi", "Phan Văn Vàng")),
    (30325, "phường Vĩnh Tế", ("Tân Lộ Kiều Lương", "Nguyễn Văn Thoại")),
    (30376, "phường Tân Châu", ("Tôn Đức Thắng", "Nguyễn Tri Phương", "Trần Hưng Đạo")),
    (30742, "phường Rạch Giá", ("Nguyễn Trung Trực", "Lạc Hồng", "Trần Phú", "Mạc Cửu")),
    (30760, "phường Vĩnh Thông", ("Nguyễn Trung Trực", "Phan Thị Ràng")),
    (30769, "phường Hà Tiên", ("Mạc Thiên Tích", "Tô Châu", "Đông Hồ")),
    (31078, "đặc khu Phú Quốc", ("Trần Hưng Đạo", "Nguyễn Trung Trực", "30 Tháng 4", "Bạch Đằng")),
)
# Hometown from the first three digits (the province of birth registration, old codes),
# named after the 2025 merger; other prefixes get a commune of An Giang.
HOMETOWN_PROVINCES = {
    "001": "thành phố Hà Nội",
    "079": "Thành phố Hồ Chí Minh",
    "080": "tỉnh Tây Ninh",
    "082": "tỉnh Đồng Tháp",
    "083": "tỉnh Vĩnh Long",
    "084": "tỉnh Vĩnh Long",
    "086": "tỉnh Vĩnh Long",
    "087": "tỉnh Đồng Tháp",
    "092": "thành phố Cần Thơ",
    "093": "thành phố Cần Thơ",
    "094": "thành phố Cần Thơ",
    "095": "tỉnh Cà Mau",
    "096": "tỉnh Cà Mau",
}
AN_GIANG_COMMUNES = (
    "xã Mỹ Hòa Hưng", "xã Chợ Mới", "xã Phú Tân", "xã Châu Phú", "xã Tri Tôn",
    "xã Tịnh Biên", "xã Thoại Sơn", "xã Châu Thành", "xã Hòn Đất", "xã Kiên Lương",
)  # fmt: skip


def _normal(text: str) -> str:
    """Names compare case-insensitively, NFC-normalised, with runs of spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class _Picker:
    """Deterministic choices from the ID's SHA-256: each call uses the next two bytes."""

    def __init__(self, number: str) -> None:
        self.digest = hashlib.sha256(f"csdldc:{number}".encode()).digest()
        self.offset = 0

    def number(self, size: int) -> int:
        value = int.from_bytes(self.digest[self.offset : self.offset + 2], "big")
        self.offset += 2
        return value % size

    def pick(self, options: tuple[Any, ...]) -> Any:
        return options[self.number(len(options))]


def person(number: str) -> dict[str, Any] | None:
    """The citizen with this 12-digit ID, or None when there is none."""
    if number.endswith("999999") or number[3] not in GENDER_CENTURY:
        return None
    gender, century = GENDER_CENTURY[number[3]]
    year = century + int(number[4:6])
    picker = _Picker(number)
    month = picker.number(12) + 1
    day = picker.number(calendar.monthrange(year, month)[1]) + 1
    born = dt.date(year, month, day)
    if born > now_vn().date():  # nobody is born in the future
        return None
    name = " ".join(
        (
            picker.pick(FAMILY_NAMES),
            picker.pick(MIDDLE_NAMES[gender]),
            picker.pick(GIVEN_NAMES[gender]),
        )
    )
    ward_code, ward, streets = picker.pick(WARDS)
    house = picker.number(250) + 1
    street = picker.pick(streets)
    prefix = number[:3]
    hometown = (
        HOMETOWN_PROVINCES.get(prefix) or f"{picker.pick(AN_GIANG_COMMUNES)}, {PROVINCE_NAME}"
    )
    return {
        "SoDinhDanh": number,
        "HoVaTen": name,
        "NgaySinh": born.strftime("%Y%m%d"),
        "GioiTinh": gender,
        "QuocTich": "VN",
        "DanToc": "Kinh",
        "QueQuan": hometown,
        "NoiThuongTru": {
            "MaTinh": PROVINCE_CODE,
            "MaXa": str(ward_code),
            "ChiTiet": f"Số {house} đường {street}, {ward}, {PROVINCE_NAME}",
        },
    }


class Csdldc(System):
    name = "csdldc"

    def __init__(self, knobs: Knobs, api_key: str) -> None:
        self.api_key = api_key
        super().__init__(knobs)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/csdldc/api/congdan/tracuu", self.lookup, "csdldc", "tracuu"),
        ]

    def lookup(self, req: Request) -> Response:
        require_api_key(req, self.api_key)
        body = req.json_object()
        number = require_str(body, "SoDinhDanh")
        if not ID_RE.fullmatch(number):
            raise invalid("SoDinhDanh", "12 chữ số")
        name = get_str(body, "HoVaTen")
        born = parse_date(body.get("NgaySinh"), "NgaySinh")
        citizen = person(number)
        if citizen is None:
            raise not_found("Không tìm thấy công dân trong CSDL quốc gia về dân cư")
        mismatch = (name is not None and _normal(name) != _normal(citizen["HoVaTen"])) or (
            born is not None and born.strftime("%Y%m%d") != citizen["NgaySinh"]
        )
        if mismatch:
            return json_response(
                {"error_code": "500", "message": "Thông tin không khớp với CSDL quốc gia về dân cư"}
            )
        return json_response({"error_code": "0", "message": "Thành công", "CongDan": citizen})
