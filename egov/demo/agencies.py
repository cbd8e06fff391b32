"""The demo province: the merged An Giang (province code 91) and its agencies.

Identifiers: only the Provincial People's Committee's QCVN 102 code `000.00.00.H01` follows a
published pattern (An Giang = `H01` is itself inferred, DOMAIN §1 ⚠️). Every other identifier
below is a **demo value** in the QCVN 102 shape, allocated as follows:

- provincial bodies: `000.00.NN.H01` with NN from the table below;
- the People's Committee of the commune with index i (1..102, communes sorted by their
  national ward code): `000.LL.GG.H01` where GG = 50 + i // 100 and LL = i % 100;
- that commune's Public Administration Service Center: `001.LL.GG.H01` (a unit under it).

The QĐ 20/2020 code is derived from the QCVN 102 one: `H01`, then the level-3, level-2 and
level-1 groups that are not zero (`000.00.03.H01` → `H01.03`; `001.07.50.H01` → `H01.50.07.001`).
A real deployment replaces all of them with the codes the Government Office assigned.

The desks' help phones (printed on Mẫu 02) and the officers' titles (printed under their
names on every form) are demo values too: `0296 3800 NNN`, NNN the commune's index, 000 for
the provincial center.
"""

import functools
from dataclasses import dataclass

from vietnam_provinces import ProvinceCode, Ward

PROVINCE_CODE = 91
PROVINCE_NAME = "An Giang"
PROVINCE_LETTER_CODE = "H01"


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    ward_code: int | None = None
    phone: str = ""  # the help phone of a receiving desk


PROVINCIAL_COMMITTEE = DemoAgency(
    code="000.00.00.H01",
    name="Ủy ban nhân dân tỉnh An Giang",
    short_name="UBND",
    kind="provincial_committee",
    parent_code=None,
)

# (number, name, abbreviation, kind); the numbers are demo values.
_PROVINCIAL_BODIES = [
    (1, "Văn phòng Ủy ban nhân dân tỉnh An Giang", "VPUBND", "department"),
    (2, "Sở Nội vụ tỉnh An Giang", "SNV", "department"),
    (3, "Sở Tư pháp tỉnh An Giang", "STP", "department"),
    (4, "Sở Tài chính tỉnh An Giang", "STC", "department"),
    (5, "Sở Công Thương tỉnh An Giang", "SCT", "department"),
    (6, "Sở Nông nghiệp và Môi trường tỉnh An Giang", "SNNMT", "department"),
    (7, "Sở Xây dựng tỉnh An Giang", "SXD", "department"),
    (8, "Sở Khoa học và Công nghệ tỉnh An Giang", "SKHCN", "department"),
    (9, "Sở Văn hóa, Thể thao và Du lịch tỉnh An Giang", "SVHTTDL", "department"),
    (10, "Sở Giáo dục và Đào tạo tỉnh An Giang", "SGDĐT", "department"),
    (11, "Sở Y tế tỉnh An Giang", "SYT", "department"),
    (12, "Sở Dân tộc và Tôn giáo tỉnh An Giang", "SDTTG", "department"),
    (13, "Công an tỉnh An Giang", "CAT", "vertical_unit"),
    (14, "Thanh tra tỉnh An Giang", "TTr", "department"),
    (15, "Ban Quản lý Khu kinh tế tỉnh An Giang", "BQLKKT", "department"),
    (31, "Trung tâm Phục vụ hành chính công tỉnh An Giang", "TTPVHCC", "province_service_center"),
    (41, "Thuế tỉnh An Giang", "TAG", "vertical_unit"),
    (42, "Bảo hiểm xã hội tỉnh An Giang", "BHXH", "vertical_unit"),
]


def _desk_phone(index: int) -> str:
    return f"0296 3800 {index:03d}"


PROVINCIAL_BODIES = [
    DemoAgency(
        code=f"000.00.{number:02d}.{PROVINCE_LETTER_CODE}",
        name=name,
        short_name=short_name,
        kind=kind,
        parent_code=PROVINCIAL_COMMITTEE.code,
        phone=_desk_phone(0) if kind == "province_service_center" else "",
    )
    for number, name, short_name, kind in _PROVINCIAL_BODIES
]


def _commune_groups(index: int) -> tuple[int, int]:
    return index % 100, 50 + index // 100


def communes() -> list[Ward]:
    """The province's communes, wards and special zones, in national ward-code order."""
    return sorted(
        (ward for ward in Ward.iter_all() if ward.province_code == ProvinceCode(PROVINCE_CODE)),
        key=lambda ward: int(ward.code),
    )


def _commune_name(ward: Ward) -> str:
    """ "Phường Long Xuyên" → "phường Long Xuyên", as it reads inside an agency's name."""
    division = ward.division_type.value
    return f"{division} {ward.name[len(division) :].strip()}"


def commune_agencies() -> list[DemoAgency]:
    """For every commune: its People's Committee and its service center (Decree 118/2025)."""
    agencies = []
    for index, ward in enumerate(communes(), start=1):
        level2, level3 = _commune_groups(index)
        committee_code = f"000.{level2:02d}.{level3:02d}.{PROVINCE_LETTER_CODE}"
        agencies.append(
            DemoAgency(
                code=committee_code,
                name=f"Ủy ban nhân dân {_commune_name(ward)}",
                short_name="UBND",
                kind="commune_committee",
                parent_code=PROVINCIAL_COMMITTEE.code,
                ward_code=int(ward.code),
            )
        )
        agencies.append(
            DemoAgency(
                code=f"001.{level2:02d}.{level3:02d}.{PROVINCE_LETTER_CODE}",
                name=f"Trung tâm Phục vụ hành chính công {_commune_name(ward)}",
                short_name="TTPVHCC",
                kind="commune_service_center",
                parent_code=committee_code,
                ward_code=int(ward.code),
                phone=_desk_phone(index),
            )
        )
    return agencies


def all_agencies() -> list[DemoAgency]:
    """Parents before children, so they can be created in this order."""
    return [PROVINCIAL_COMMITTEE, *PROVINCIAL_BODIES, *commune_agencies()]


# The title an officer of the demo holds, by the kind of agency and the role: what the
# forms print under the officer's name.
_TITLES = {
    ("provincial_committee", "leader"): "Phó Chủ tịch Ủy ban nhân dân tỉnh",
    ("department", "leader"): "Phó Giám đốc",
    ("department", "specialist"): "Chuyên viên",
    ("department", "clerk"): "Văn thư",
    ("vertical_unit", "leader"): "Phó Thủ trưởng",
    ("vertical_unit", "specialist"): "Cán bộ",
    ("province_service_center", "reception"): "Công chức tiếp nhận và trả kết quả",
    ("commune_committee", "leader"): "Phó Chủ tịch Ủy ban nhân dân",
    ("commune_committee", "specialist"): "Công chức chuyên môn",
    ("commune_service_center", "reception"): "Công chức tiếp nhận và trả kết quả",
}


@functools.cache
def _kinds() -> dict[str, str]:
    return {agency.code: agency.kind for agency in all_agencies()}


def officer_title(agency_code: str, role: str) -> str:
    """The demo title of an officer holding the role at the agency; "" for roles the forms
    never name (administrators, auditors)."""
    return _TITLES.get((_kinds().get(agency_code, ""), role), "")
