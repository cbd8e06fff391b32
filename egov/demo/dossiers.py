"""A month of demo dossiers for `make demo`, made through the real services only.

`seed_demo_dossiers()` plays about 300 dossiers through the `days` days before today, as the
desks of the province service center and of five commune service centers would have lived
them: counter, online and postal submissions; receipts in office hours; transfers, steps,
assignments, supplements, obligations, apologies, stops, withdrawals, results handed over.
Every change goes through `counter_intake`, `dossier_create`, `dossier_perform`,
`task_assign` and `document_attach`, so codes, due times, tasks, hash-chained events and
outbox rows are the ones the services write; nothing here sets a dossier field.

The stories keep the engine's rules (`egov.dossiers.lifecycle`): each step is done by the
holder of its role at its agency (a clerk seals what the leader signed); the leader signs at
the signing step and the inter-agency steps after it run on; a conditional step runs only when
the e-form asks for it; the applicant hands a supplement in and the officer who asked accepts
it; a supplement never given ends the dossier only once its deadline has passed.

How: each dossier is a *story*, a generator that names the instant of its next action and,
when resumed at that instant, takes it. All stories run on one queue in time order, under
`demo_clock`, so dossier codes number each desk's day in order of receipt and event ids follow
time. Nothing happens after the start of today, so two runs on a fresh database on the same
day write the same data (but for the random UUIDs the models give references and files).

Two of the dossiers are the demo citizen's (`DEMO_CITIZEN`, the VNeID simulator's first
account), so that signing in with VNeID shows a history: his certificate of marital status,
received at the Long Xuyên counter earlier in the month and returned with its signed result
attached (`dossier_approve`), and his marriage registration, received there a few days ago
and being processed. The desk scanned both dossiers' papers (digitised), so "Giấy tờ của tôi"
lists them along with the result.

Run once, on a fresh database after `seed_demo`: if any dossier exists it does nothing and
says so. It is not one transaction (each service commits on its own): a run that fails half
way leaves its dossiers, and the way back is a fresh database.
"""

import datetime
import heapq
import random
import unicodedata
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any
from unittest import mock

from django.contrib.auth.models import User
from django.db.models import Count
from django.utils import timezone

from egov.catalog.selectors import procedure_in_force
from egov.core.workcal import WorkingCalendar
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Apology, Channel, ClockState, Dossier, Outcome, ReturnMethod
from egov.dossiers.selectors import (
    assignable_officers,
    open_supplement_of,
    open_task_of,
    step_applies,
)
from egov.dossiers.services import (
    Applicant,
    IntakeFile,
    ResultFile,
    Submitter,
    counter_intake,
    document_attach,
    dossier_approve,
    dossier_create,
    dossier_perform,
    task_assign,
)
from egov.dossiers.services.deadlines import deadlines_flag
from egov.dossiers.services.effects import DEFAULT_SUPPLEMENT_LIMIT
from egov.dossiers.services.supplements import LAPSED_NOTE
from egov.orgs.models import Agency, AgencyKind
from egov.orgs.selectors import agency_get, working_calendar
from egov.orgs.services import staff_provision

from .agencies import officer_title
from .seed import DEMO_LOGINS, DEMO_PASSWORD

SEED = 2026
S = Status
DAY = 8 * 60  # working minutes in a working day
PROVINCE_DESK = "000.00.31.H01"
TAX_OFFICE = "000.00.41.H01"
# Province-level agencies' steps go to officers of each agency: the demo login holding the
# role there (README's table: the Justice specialist and leader, the province's clerk), else
# `<prefix>.<the agency's abbreviation>` (`lanhdao.stc`, Finance's leader). Nobody holds a
# role at an agency the README does not give them (least privilege).
OFFICER_PREFIX = {"specialist": "chuyenvien", "leader": "lanhdao", "clerk": "vanthu"}
# (ward code, username suffix, share of the month's dossiers, usual ID prefix).
COMMUNES = [
    (30307, "longxuyen", 30, "089"),
    (30316, "chaudoc", 10, "089"),
    (30628, "chomoi", 8, "089"),
    (30742, "rachgia", 10, "091"),
    (31078, "phuquoc", 7, "091"),
]
PROVINCE_SHARE = 35
# national code → (weight, applicant's age range); province ones go to the province desk.
PROCEDURES = {
    "2.000815": (25, (18, 70)),  # chứng thực bản sao
    "1.001193": (18, (20, 40)),  # khai sinh
    "1.004873": (12, (20, 60)),  # xác nhận tình trạng hôn nhân
    "1.000656": (8, (30, 65)),  # khai tử
    "1.000894": (8, (20, 36)),  # kết hôn
    "1.001612": (8, (22, 60)),  # thành lập hộ kinh doanh
    "1.013978": (8, (30, 70)),  # đăng ký đất đai lần đầu
    "1.001776": (6, (25, 60)),  # trợ cấp xã hội hằng tháng
    "3.000333": (30, (18, 45)),  # phiếu lý lịch tư pháp
    "1.013831": (20, (25, 65)),  # đăng ký biến động đất đai
    "1.012789": (15, (25, 60)),  # cung cấp thông tin đất đai
    "2.001610": (15, (23, 55)),  # thành lập doanh nghiệp tư nhân
    "2.001914": (15, (20, 50)),  # bản sao văn bằng
    "2.002036": (5, (25, 60)),  # thôi quốc tịch
}
# Land procedures whose tax-office step sets what the applicant must pay before the result.
OBLIGATIONS = {
    "1.013978": "Đề nghị người sử dụng đất nộp tiền sử dụng đất, lệ phí trước bạ theo thông "
    "báo của cơ quan thuế.",
    "1.013831": "Đề nghị nộp thuế thu nhập cá nhân, lệ phí trước bạ theo thông báo của cơ "
    "quan thuế.",
}
# Share of the month's dossiers ending in each status (and how); `returned` takes the rest.
SHARES: list[tuple[Status, str, float]] = [
    (S.PROCESSING, "", 0.14),
    (S.RESULT_READY, "", 0.06),
    (S.RECEIVED, "", 0.03),
    (S.SUBMITTED, "", 0.03),
    (S.SUPPLEMENT_REQUESTED, "intake", 0.02),
    (S.SUPPLEMENT_REQUESTED, "processing", 0.02),
    (S.AWAITING_OBLIGATION, "", 0.03),
    (S.REFUSED, "", 0.03),
    (S.WITHDRAWN, "", 0.04),
    (S.STOPPED, "", 0.04),
]
WITHDRAWALS = ["processing", "submitted", "received", "supplement"]
STOPS = ["processing", "supplement"]
REFUSES = ["", "intake"]  # at the online check, or once the supplement asked there lapsed
WAYS = {S.WITHDRAWN: WITHDRAWALS, S.STOPPED: STOPS, S.REFUSED: REFUSES}
# The busiest commune's committee has a second specialist: its specialists' steps wait
# unassigned until the leader hands them out.
BUSIEST = "longxuyen"

# ---------------------------------------------------------------------------- people


def _words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


FAMILY = (
    "Nguyễn:30 Trần:11 Lê:9 Phạm:6 Huỳnh:6 Võ:5 Phan:4 Hồ:3 Đặng:2 Bùi:2 Đỗ:2 Ngô:2 Dương:2 "
    "Lâm:2 Trương:2 Lý:1 Đinh:1 Châu:1 Thái:1 Mai:1 Tạ:1 Quách:1 Hà:1 Cao:1 Lưu:1"
)
MIDDLE = {
    "male": "Văn:8 Minh:3 Quốc:2 Hữu:2 Thành:2 Thanh:2 Tấn:2 Công:1 Đức:1 Hoàng:1 Trọng:1 "
    "Gia:1 Nhật:1 Phước:1 Chí:1",
    "female": "Thị:9 Ngọc:3 Thanh:2 Kim:2 Thu:1 Mỹ:2 Bích:1 Hồng:1 Phương:1 Thúy:1 Diễm:1 "
    "Bảo:1 Như:1",
}
GIVEN = {
    "male": "An Bảo Bình Cường Danh Duy Dũng Đạt Đông Đức Hải Hào Hậu Hiếu Hòa Hoàng Hùng Huy "
    "Khang Khải Khánh Khoa Kiệt Lâm Lộc Long Luân Minh Nam Nghĩa Nhân Nhựt Phát Phong Phúc "
    "Phước Quang Quân Sang Sơn Tài Tâm Tân Thành Thắng Thiện Thịnh Thuận Tiến Toàn Trí Trung "
    "Tuấn Tùng Việt Vinh Vũ",
    "female": "An Anh Ánh Cúc Châu Diễm Diệu Dung Duyên Đào Giang Hà Hạnh Hằng Hân Hiền Hoa Hồng "
    "Hương Huyền Lan Liên Linh Loan Mai My Nga Ngân Ngọc Nhi Nhung Oanh Phượng Quyên Sương "
    "Tâm Thảo Thoa Thu Thủy Thư Tiên Trâm Trang Trinh Tuyết Uyên Vân Vy Xuân Yến",
}
SECOND_MIDDLE = _words("Ngọc Kim Thu Mỹ Bích Hồng Thanh Diễm")
STREETS = _words(
    "Trần Hưng Đạo|Nguyễn Huệ|Lê Lợi|Hai Bà Trưng|Tôn Đức Thắng|Lý Thái Tổ|Nguyễn Trãi|"
    "Hùng Vương|Lê Hồng Phong|Nguyễn Thị Minh Khai|Phan Đình Phùng|Trần Phú|Nguyễn Văn Cừ|"
    "30 Tháng 4|Võ Thị Sáu|Hà Hoàng Hổ|Ung Văn Khiêm|Nguyễn Trung Trực|Lê Thị Nhiên",
    "|",
)
HAMLETS = _words(
    "Bình Khánh|Đông Thịnh|Mỹ Phước|Tây Khánh|Long Thạnh|Mỹ Thạnh|An Hòa|Phú Hòa|Thới Hòa|"
    "Long Hưng|Tân Phú|Bình Thới|Hòa Long|Phú Thượng",
    "|",
)
PHONE_PREFIXES = _words(
    "032 033 034 035 036 037 038 039 056 058 070 076 077 078 079 081 082 083 084 085 086 "
    "088 089 090 091 093 094 096 097 098"
)
OTHER_ID_PREFIXES = ["087", "092", "079", "086", "094"]
# The fourth digit of a personal ID: century and gender (egov.core.identifiers).
_GENDER_DIGIT = {("male", 1900): 0, ("female", 1900): 1, ("male", 2000): 2, ("female", 2000): 3}


def _weighted(spec: str) -> tuple[list[str], list[int]]:
    pairs = [item.split(":") for item in spec.split()]
    return [name for name, _ in pairs], [int(weight) for _, weight in pairs]


@dataclass(frozen=True)
class Person:
    name: str
    gender: str
    birth: datetime.date
    id_number: str
    phone: str


# The demo citizen: the VNeID simulator's first demo account (sims/vneid.py, level 2), as the
# population simulator answers for him (sims/population.py: name, birth date, gender, address)
# and with the phone and e-mail VNeID gives; tests/demo checks these against the simulators.
# A level-2 VNeID sign-in sees every dossier with his ID number (dossiers.policies.applicant_q).
DEMO_CITIZEN = Person(
    name="Nguyễn Tấn An",
    gender="male",
    birth=datetime.date(2000, 3, 14),
    id_number="091200001111",
    phone="0701406783",
)
DEMO_CITIZEN_EMAIL = "nguyen.tan.an.1111@example.com"
DEMO_CITIZEN_STREET = "Số 155 đường Trần Hưng Đạo"  # phường Long Xuyên (ward code 30307)
DEMO_CITIZEN_DESK = "longxuyen"
CERTIFICATE, MARRIAGE = "1.004873", "1.000894"  # xác nhận tình trạng hôn nhân; kết hôn
# The Department of Justice's one province procedure in the demo (two months' work): the
# month always has one, signed by the Justice leader, so the Justice demo logins have work.
NATIONALITY = "2.002036"  # thôi quốc tịch


class People:
    """Vietnamese names, personal IDs consistent with birth and gender, phones, addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.family = _weighted(FAMILY)
        self.middle = {gender: _weighted(spec) for gender, spec in MIDDLE.items()}

    def name(self, gender: str, family: str = "") -> str:
        rng = self.rng
        family = family or rng.choices(*self.family)[0]
        middle = rng.choices(*self.middle[gender])[0]
        if middle == "Thị" and rng.random() < 0.3:
            middle += " " + rng.choice(SECOND_MIDDLE)
        return f"{family} {middle} {rng.choice(GIVEN[gender].split())}"

    def person(
        self,
        *,
        ages: tuple[int, int],
        on: datetime.date,
        prefix: str,
        gender: str = "",
        family: str = "",
    ) -> Person:
        rng = self.rng
        gender = gender or rng.choice(["male", "female"])
        born = on - datetime.timedelta(days=rng.randint(ages[0] * 365 + 1, ages[1] * 365 + 360))
        if rng.random() < 0.15:
            prefix = rng.choice(OTHER_ID_PREFIXES)
        digit = _GENDER_DIGIT[gender, born.year // 100 * 100]
        id_number = f"{prefix}{digit}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}"
        return Person(self.name(gender, family), gender, born, id_number, phone)

    def street(self, place: str) -> str:
        rng = self.rng
        if place.startswith("xã"):
            return f"Tổ {rng.randint(1, 24)}, ấp {rng.choice(HAMLETS)}"
        hamlet = (
            f"khu phố {rng.randint(1, 9)}"
            if place.startswith("đặc khu")
            else f"khóm {rng.choice(HAMLETS)} {rng.randint(1, 5)}"
        )
        return f"{rng.randint(1, 450)} {rng.choice(STREETS)}, {hamlet}"


# ------------------------------------------------------------------------ e-forms


@dataclass
class FormContext:
    rng: random.Random
    people: People
    who: Person
    place: str  # "phường Long Xuyên"
    street: str
    day: datetime.date
    prefix: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.place}, tỉnh An Giang"

    def other(self, gender: str, ages: tuple[int, int], family: str = "") -> Person:
        return self.people.person(
            ages=ages, on=self.day, prefix=self.prefix, gender=gender, family=family
        )

    def ago(self, low: int, high: int) -> str:
        return (self.day - datetime.timedelta(days=self.rng.randint(low, high))).isoformat()


def _birth(c: FormContext) -> dict[str, Any]:
    mother = c.who if c.who.gender == "female" else c.other("female", (20, 38))
    father = c.who if c.who.gender == "male" else c.other("male", (22, 42))
    sex = c.rng.choice(["nam", "nu"])
    child = c.people.name("male" if sex == "nam" else "female", father.name.split()[0])
    return {
        "child_full_name": child,
        "child_birth_date": c.ago(1, 55),
        "child_sex": sex,
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "birth_place": c.rng.choice(
            [
                "Bệnh viện Đa khoa Trung tâm An Giang",
                "Bệnh viện Sản - Nhi An Giang",
                "Bệnh viện Đa khoa khu vực tỉnh An Giang",
                f"Trạm Y tế {c.place}, tỉnh An Giang",
            ]
        ),
        "home_town": f"{c.place}, tỉnh An Giang",
        "mother_full_name": mother.name,
        "mother_id_number": mother.id_number,
        "father_full_name": father.name,
        "father_id_number": father.id_number,
        "request_permanent_residence": c.rng.random() < 0.7,
        "request_health_insurance": c.rng.random() < 0.8,
        "requester_phone": c.who.phone,
    }


def _death(c: FormContext) -> dict[str, Any]:
    gender = c.rng.choice(["male", "female"])
    family = c.who.name.split()[0] if gender == "male" else ""
    deceased = c.other(gender, (62, 95), family)
    return {
        "deceased_full_name": deceased.name,
        "deceased_id_number": deceased.id_number,
        "death_date": c.ago(1, 20),
        "death_place": c.rng.choice(
            [f"Tại nhà, {c.address}", "Bệnh viện Đa khoa Trung tâm An Giang"]
        ),
        "death_cause": c.rng.choice(["Bệnh già", "Tai biến mạch máu não", "Suy tim", "Ung thư"]),
        "requester_relationship": "Con" if family else c.rng.choice(["Con", "Cháu"]),
        "request_residence_removal": True,
        "request_funeral_allowance": c.rng.random() < 0.3,
        "requester_phone": c.who.phone,
    }


def _marital(c: FormContext) -> dict[str, Any]:
    purpose = c.rng.choices(["ket_hon", "mua_ban_tai_san", "khac"], [6, 3, 1])[0]
    data = {
        "full_name": c.who.name,
        "birth_date": c.who.birth.isoformat(),
        "id_number": c.who.id_number,
        "residence": c.address,
        "marital_status": c.rng.choices(["chua_ket_hon", "ly_hon", "vo_chong_chet"], [8, 2, 1])[0],
        "purpose": purpose,
    }
    if purpose == "ket_hon":
        spouse = "female" if c.who.gender == "male" else "male"
        data["intended_spouse_name"] = c.people.name(spouse)
    return data


def _marriage(c: FormContext) -> dict[str, Any]:
    groom = c.who if c.who.gender == "male" else c.other("male", (22, 36))
    bride = c.who if c.who.gender == "female" else c.other("female", (20, 34))
    day = c.day + datetime.timedelta(days=c.rng.randint(7, 25))
    data: dict[str, Any] = {"first_marriage": c.rng.random() < 0.9}
    data["preferred_ceremony_date"] = day.isoformat()
    for role, person in (("bride", bride), ("groom", groom)):
        data[f"{role}_full_name"] = person.name
        data[f"{role}_birth_date"] = person.birth.isoformat()
        data[f"{role}_id_number"] = person.id_number
        data[f"{role}_residence"] = c.address
    return data


TRADES = {
    "Tạp hóa": "Bán lẻ lương thực, thực phẩm, đồ uống trong cửa hàng (4711)",
    "Quán cơm": "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động (5610)",
    "Cà phê": "Dịch vụ phục vụ đồ uống (5630)",
    "Sửa xe": "Bảo dưỡng và sửa chữa mô tô, xe máy (4542)",
    "Tiệm may": "May trang phục (1410)",
    "Vựa trái cây": "Bán buôn rau, quả (46323)",
}


def _household_business(c: FormContext) -> dict[str, Any]:
    trade = c.rng.choice(list(TRADES))
    return {
        "business_name": f"Hộ kinh doanh {trade} {c.who.name.split()[-1]}",
        "business_address": c.address,
        "business_phone": c.who.phone,
        "business_lines": TRADES[trade],
        "capital_vnd": c.rng.choice([30, 50, 80, 100, 150, 200, 300]) * 1_000_000,
        "employee_count": c.rng.randint(0, 5),
        "owner_full_name": c.who.name,
        "owner_id_number": c.who.id_number,
        "registered_by": c.rng.choices(["ca_nhan", "thanh_vien_ho_gia_dinh"], [5, 1])[0],
        "tax_method": c.rng.choice(["khoan", "ke_khai"]),
    }


def _land_registration(c: FormContext) -> dict[str, Any]:
    year = c.rng.randint(1986, 2012)
    origin = c.rng.choice(
        [
            f"Nhận chuyển nhượng bằng giấy tay năm {year}, sử dụng ổn định, không tranh chấp",
            f"Được cha mẹ cho năm {year}, sử dụng ổn định, không tranh chấp",
            f"Khai hoang, sử dụng liên tục từ năm {year}",
        ]
    )
    return {
        "land_user_name": c.who.name,
        "land_user_id_number": c.who.id_number,
        "parcel_number": str(c.rng.randint(1, 900)),
        "map_sheet_number": str(c.rng.randint(1, 60)),
        "parcel_address": c.address,
        "area_m2": c.rng.randint(60, 2500),
        "land_use_purpose": c.rng.choice(["ODT", "ONT", "LUA", "CLN", "NTS"]),
        "use_since": datetime.date(year, c.rng.randint(1, 12), 1).isoformat(),
        "land_origin": origin,
        "has_house": c.rng.random() < 0.5,
    }


def _social_allowance(c: FormContext) -> dict[str, Any]:
    group = c.rng.choice(["nguoi_cao_tuoi", "nguoi_khuyet_tat", "tre_em", "me_don_than"])
    ages = {"nguoi_cao_tuoi": (80, 92), "tre_em": (6, 15)}.get(group, (25, 60))
    gender = "female" if group == "me_don_than" else ""
    beneficiary = c.who if group == "me_don_than" else c.other(gender, ages)
    return {
        "beneficiary_full_name": beneficiary.name,
        "beneficiary_birth_date": beneficiary.birth.isoformat(),
        "beneficiary_id_number": beneficiary.id_number,
        "beneficiary_group": group,
        "request_kind": c.rng.choices(["thuc_hien", "dieu_chinh", "thoi_huong"], [8, 1, 1])[0],
        "caregiver_name": "" if beneficiary is c.who else c.who.name,
    }


def _criminal_record(c: FormContext) -> dict[str, Any]:
    family = c.who.name.split()[0]
    return {
        "full_name": c.who.name,
        "birth_date": c.who.birth.isoformat(),
        "sex": "nam" if c.who.gender == "male" else "nu",
        "id_number": c.who.id_number,
        "permanent_residence": c.address,
        "residence_history": f"Từ năm {c.who.birth.year} đến nay: {c.address}",
        "father_full_name": c.people.name("male", family),
        "mother_full_name": c.people.name("female"),
        "record_type": c.rng.choices(["phieu_1", "phieu_2"], [4, 1])[0],
        "copies": c.rng.randint(1, 2),
        "purpose": c.rng.choice(
            [
                "Bổ sung hồ sơ xin việc",
                "Đi làm việc ở nước ngoài",
                "Du học",
                "Thành lập doanh nghiệp",
            ]
        ),
        "phone": c.who.phone,
    }


def _land_change(c: FormContext) -> dict[str, Any]:
    kind = c.rng.choices(["chuyen_nhuong", "tang_cho", "thua_ke"], [6, 2, 2])[0]
    office = c.rng.choice(["Long Xuyên", "Mỹ Thới", "Châu Đốc", "Rạch Giá"])
    data: dict[str, Any] = {
        "transferor_name": c.people.name(c.rng.choice(["male", "female"])),
        "transferee_name": c.who.name,
        "transferee_id_number": c.who.id_number,
        "certificate_number": f"{c.rng.choice(['CS', 'DĐ', 'CH'])} {c.rng.randint(10000, 99999)}",
        "parcel_number": str(c.rng.randint(1, 900)),
        "map_sheet_number": str(c.rng.randint(1, 60)),
        "area_m2": c.rng.randint(60, 1500),
        "change_kind": kind,
        "notarized_at": f"Văn phòng công chứng {office}, số công chứng {c.rng.randint(100, 9999)}",
        "new_certificate": c.rng.random() < 0.6,
    }
    if kind == "chuyen_nhuong":
        data["contract_value_vnd"] = c.rng.randint(3, 90) * 50_000_000
    return data


FORMS: dict[str, Callable[[FormContext], dict[str, Any]]] = {
    "1.001193": _birth,
    "1.000656": _death,
    "1.004873": _marital,
    "1.000894": _marriage,
    "1.001612": _household_business,
    "1.013978": _land_registration,
    "1.001776": _social_allowance,
    "3.000333": _criminal_record,
    "1.013831": _land_change,
}


def _scan(lines: list[str]) -> bytes:
    """A one-page PDF standing in for a scanned paper (Helvetica, so the text is folded)."""

    def ascii_text(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        plain = plain.encode("ascii", "ignore").decode()
        return plain.replace("\\", "").replace("(", "[").replace(")", "]")

    shown = " 0 -18 Td ".join(f"({ascii_text(line)}) Tj" for line in lines)
    stream = f"BT /F1 12 Tf 36 540 Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# ------------------------------------------------------------------ desks and staff


@dataclass(frozen=True)
class Desk:
    agency: Agency  # the service center that receives
    committee: Agency | None  # the commune's People's Committee (commune desks)
    place: str  # "phường Long Xuyên"; empty for the province desk
    ward_code: int | None
    slug: str
    share: int
    prefix: str


@dataclass(frozen=True)
class Proc:
    code: str
    content: dict[str, Any]
    weight: int
    ages: tuple[int, int]

    @property
    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.content["steps"]
        return steps

    @property
    def province(self) -> bool:
        return bool(self.content["level"] == "province")

    @property
    def online(self) -> bool:
        return bool(self.content["online_level"] != "none")

    @property
    def tax_position(self) -> int:
        """The step where the tax office works out what the applicant owes (0: none)."""
        if self.code not in OBLIGATIONS:
            return 0
        positions = (i for i, s in enumerate(self.steps, 1) if s.get("agency") == TAX_OFFICE)
        return next(positions, 0)

    def minutes(self, upto: int | None = None) -> int:
        """Working minutes the steps take when done briskly (85% of their share). Said before
        the e-form is filled in, so a conditional step counts as if it ran: the most a story
        of this procedure needs, for planning only (a story times the steps on its route)."""
        hours = sum(Decimal(str(step["hours"])) for step in self.steps[:upto])
        return int(hours * 60 * Decimal("0.85"))


def _desks() -> list[Desk]:
    desks = [Desk(agency_get(code=PROVINCE_DESK), None, "", None, "tinh", PROVINCE_SHARE, "089")]
    for ward_code, slug, share, prefix in COMMUNES:
        committee = Agency.objects.get(
            kind=AgencyKind.COMMUNE_COMMITTEE, ward_code=ward_code, valid_to__isnull=True
        )
        center = committee.children.get(kind=AgencyKind.COMMUNE_SERVICE_CENTER)
        place = committee.name.removeprefix("Ủy ban nhân dân ")
        desks.append(Desk(center, committee, place, ward_code, slug, share, prefix))
    return desks


def _staff(
    desks: list[Desk], procs: list[Proc], people: People
) -> tuple[dict[tuple[str, str], User], list[str]]:
    """Who works where: (agency code, role) → the user who does its steps. Each commune desk
    gets its officers (Long Xuyên's are demo logins): reception, a specialist (two at the
    busiest commune), a leader, and a clerk where a commune procedure has a clerk's step; each
    province-level agency's steps go to its own officers (`_province_officer`), the Justice
    demo logins doing Justice's."""
    holders: dict[tuple[str, str], User] = {}
    created: list[str] = []

    def provision(username: str, agency: Agency | str, role: str) -> None:
        code = agency if isinstance(agency, str) else agency.code
        new = not User.objects.filter(username=username).exists()
        staff_provision(
            username=username,
            password=DEMO_PASSWORD if new else None,
            agency_code=code,
            roles=[role],
            full_name=people.name(people.rng.choice(["male", "female"])) if new else "",
            title=officer_title(code, role),
        )
        if new:
            created.append(username)
        holders.setdefault((code, role), User.objects.get(username=username))

    clerks = any(
        step["role"] == "clerk" for proc in procs if not proc.province for step in proc.steps
    )
    for desk in desks:
        if desk.committee is None:
            provision("tiepnhan.tinh", desk.agency, "reception")
            continue
        provision(f"tiepnhan.{desk.slug}", desk.agency, "reception")
        provision(f"chuyenvien.{desk.slug}", desk.committee, "specialist")
        if desk.slug == BUSIEST:
            provision(f"chuyenvien2.{desk.slug}", desk.committee, "specialist")
        provision(f"lanhdao.{desk.slug}", desk.committee, "leader")
        if clerks:  # seals and books what the leader signed
            provision(f"vanthu.{desk.slug}", desk.committee, "clerk")
    for proc in procs:
        if proc.province:
            leads = proc.content["competent_agency"]
            provision(_province_officer(leads, "leader"), leads, "leader")
        for step in proc.steps:
            if step.get("agency") and step["role"] in OFFICER_PREFIX:
                officer = _province_officer(step["agency"], step["role"])
                provision(officer, step["agency"], step["role"])
    return holders, created


def _province_officer(agency_code: str, role: str) -> str:
    """Who does a province-level agency's steps of a role: the demo login holding that role
    there, or an officer of that agency alone."""
    for login in DEMO_LOGINS:
        if login.agency_code == agency_code and role in login.roles:
            return login.username
    abbreviation = _ascii(agency_get(code=agency_code).short_name).lower()
    return f"{OFFICER_PREFIX[role]}.{abbreviation}"


# ------------------------------------------------------------------------- plans


@dataclass
class Plan:
    """What happens to one dossier, decided before the month is played."""

    rng: random.Random
    target: Status
    variant: str
    desk: Desk
    proc: Proc
    channel: str = Channel.COUNTER
    return_method: str = ReturnMethod.COUNTER
    start: datetime.datetime = field(default_factory=timezone.now)
    applicant: Applicant | None = None
    form_data: dict[str, Any] = field(default_factory=dict)
    submitter: Submitter | None = None
    recipient: tuple[str, str] = ("", "")  # who collects a paper result: name, ID number
    citizen: User | None = None
    who: Person | None = None  # a given applicant (the demo citizen); else a random person
    signed_result: bool = False  # the leader approves with the signed result attached
    # Steps (positions from 1) on the dossier's route, chosen once its e-form is known.
    stop_at: int = 0  # the step where the story ends (processing, stopped, withdrawn)
    slow_at: int = 0  # the step that runs late, or gets the apology
    send_back_at: int = 0  # a step up to the signing, sent back to the one before it
    assign_at: int = 0  # where the leader hands out the step, if it waits unassigned
    sends_back: bool = False  # decided before the route is known
    late: bool = False
    apology: bool = False
    late_notice: bool = False
    extension_days: int = 3
    intake_supplement: bool = False
    supplement: bool = False  # asked during processing (window of 3 working days)
    obligation: bool = False

    @property
    def route(self) -> list[int]:
        """The steps after the desk's that this dossier goes through: a conditional step
        (`when`) only when its e-form field is ticked, as the engine decides."""
        steps = enumerate(self.proc.steps, 1)
        return [at for at, step in steps if at > 1 and step_applies(step, self.form_data)]

    @property
    def signing(self) -> int:
        """Where the leader signs the result: the route's last leader's step, else its last."""
        route, steps = self.route, self.proc.steps
        return ([at for at in route if steps[at - 1]["role"] == "leader"] or route)[-1]


@dataclass
class World:
    calendar: WorkingCalendar
    horizon: datetime.datetime  # nothing happens from here on: the start of today
    first_day: datetime.date
    holders: dict[tuple[str, str], User]

    def worker(self, agency: str, role: str) -> User:
        """Who does a step nobody was given: the holder of its role at its agency."""
        return self.holders[agency, role]


ENDS_IN_PROCESSING = {(S.STOPPED, "processing"), (S.WITHDRAWN, "processing")}
ONLINE_ONLY = {
    (S.SUBMITTED, ""),
    (S.REFUSED, ""),
    (S.REFUSED, "intake"),
    (S.SUPPLEMENT_REQUESTED, "intake"),
}
# Ended once the supplement's deadline passed, nothing supplied: stopped when it had a code
# (asked during processing), refused when it never got one (asked at the online check).
LAPSES = {(S.STOPPED, "supplement"), (S.REFUSED, "intake")}


class Planner:
    def __init__(self, rng: random.Random, world: World, desks: list[Desk], procs: list[Proc]):
        self.rng, self.world, self.desks, self.procs = rng, world, desks, procs
        self.citizens = 0

    def plan(self, target: Status, variant: str) -> Plan:
        rng = random.Random(self.rng.getrandbits(64))  # noqa: S311 - demo data, not secrets
        plan = None
        for _ in range(12):
            desk = rng.choices(self.desks, [d.share for d in self.desks])[0]
            procs = [p for p in self.procs if p.province == (desk.committee is None)]
            procs = [p for p in procs if self._suits(p, target, variant)]
            if not procs:
                continue
            proc = rng.choices(procs, [p.weight for p in procs])[0]
            plan = Plan(rng, target, variant, desk, proc)
            self._shape(plan)
            if self._place(plan):
                break
        assert plan is not None, "no demo procedure suits this plan"  # noqa: S101
        self._people(plan)
        self._route(plan)
        return plan

    def demo_citizen_plans(self) -> list[Plan]:
        """The demo citizen's two dossiers at the Long Xuyên counter, papers scanned there:
        his marriage registration, received in the last working days and being processed,
        and before it his certificate of marital status (for that marriage), returned to him
        with its signed result."""
        marriage = self._demo_citizen_plan(S.PROCESSING, MARRIAGE, form={"first_marriage": True})
        bride = marriage.form_data["bride_full_name"]
        certificate = self._demo_citizen_plan(
            S.RETURNED,
            CERTIFICATE,
            form={
                "marital_status": "chua_ket_hon",
                "purpose": "ket_hon",
                "intended_spouse_name": bride,
            },
            before=marriage.start,
        )
        certificate.signed_result = True
        return [certificate, marriage]

    def justice_plan(self) -> Plan:
        """A renunciation of nationality received at the province desk early in the month and
        handled at once: the Department of Justice checks it, the police verify, Justice's
        leader signs; the result waits at the desk. Its two months' work rarely fits the
        month, so the draw seldom gives one; this one is squeezed into it."""
        rng = random.Random(self.rng.getrandbits(64))  # noqa: S311 - demo data, not secrets
        desk = next(d for d in self.desks if d.committee is None)
        proc = next(p for p in self.procs if p.code == NATIONALITY)
        plan = Plan(rng, S.RESULT_READY, "", desk, proc)
        self._shape(plan)
        plan.channel, plan.return_method = Channel.COUNTER, ReturnMethod.COUNTER
        plan.late = plan.apology = plan.sends_back = False
        plan.intake_supplement = plan.supplement = plan.obligation = False
        self._place(plan)  # it does not fit: the month's first opening, the story squeezed
        self._people(plan)
        self._route(plan)
        return plan

    def _demo_citizen_plan(
        self,
        target: Status,
        code: str,
        *,
        form: dict[str, Any],
        before: datetime.datetime | None = None,
    ) -> Plan:
        """A plain story: at the counter, on time, nothing asked of him; he collects the
        result himself."""
        rng = random.Random(self.rng.getrandbits(64))  # noqa: S311 - demo data, not secrets
        desk = next(d for d in self.desks if d.slug == DEMO_CITIZEN_DESK)
        proc = next(p for p in self.procs if p.code == code)
        plan = Plan(rng, target, "", desk, proc, who=DEMO_CITIZEN)
        self._shape(plan)
        plan.channel, plan.return_method = Channel.COUNTER, ReturnMethod.COUNTER
        plan.late = plan.apology = plan.sends_back = False
        plan.intake_supplement = plan.supplement = plan.obligation = False
        self._place(plan, before=before)
        self._people(plan)
        plan.form_data.update(form)
        self._route(plan)
        return plan

    @staticmethod
    def _suits(proc: Proc, target: Status, variant: str) -> bool:
        if (target, variant) in ONLINE_ONLY or (target, variant) == (S.WITHDRAWN, "submitted"):
            return proc.online
        return bool(proc.tax_position) if target == S.AWAITING_OBLIGATION else True

    def _shape(self, p: Plan) -> None:
        rng, proc, steps = p.rng, p.proc, len(p.proc.steps)
        content = proc.content
        channels = [Channel.COUNTER] * 5
        channels += [Channel.ONLINE] * 4 if proc.online and p.target != S.RECEIVED else []
        channels += [Channel.POSTAL] if content["postal_intake"] else []
        online_only = (p.target, p.variant) in ONLINE_ONLY or p.variant == "submitted"
        p.channel = Channel.ONLINE if online_only else rng.choice(channels)
        methods = [ReturnMethod.COUNTER] * 6 + [ReturnMethod.POSTAL] * content["postal_return"]
        if p.channel == Channel.ONLINE and content["online_level"] == "full":
            methods += [ReturnMethod.ONLINE] * 6
        if p.channel == Channel.POSTAL and content["postal_return"]:
            methods = [ReturnMethod.POSTAL]
        p.return_method = rng.choice(methods)
        decided = p.target in {S.RETURNED, S.RESULT_READY}
        p.late = (decided and rng.random() < 0.15) or (
            p.target == S.PROCESSING and rng.random() < 0.3
        )
        p.apology = (p.late and rng.random() < 0.45) or (
            p.target == S.PROCESSING and rng.random() < 0.05
        )
        p.late_notice, p.extension_days = rng.random() < 0.35, rng.randint(2, 5)
        p.intake_supplement = p.variant == "intake" or (
            p.channel == Channel.ONLINE and p.target not in ONLINE_ONLY and rng.random() < 0.1
        )
        asked = p.variant == "supplement" or (p.target, p.variant) == (
            S.SUPPLEMENT_REQUESTED,
            "processing",
        )
        p.supplement = asked or (
            p.target in {S.RETURNED, S.RESULT_READY, S.PROCESSING} and rng.random() < 0.07
        )
        p.obligation = bool(proc.tax_position) and (
            p.target == S.AWAITING_OBLIGATION or rng.random() < 0.8
        )
        p.sends_back = steps >= 3 and rng.random() < 0.07

    def _route(self, p: Plan) -> None:
        """The steps where the story turns, among those on the dossier's route (its e-form
        decides the conditional ones). Nothing is stopped, withdrawn or sent back once the
        leader has signed; a dossier still in processing may be at any step."""
        rng, route, steps = p.rng, p.route, p.proc.steps
        unsigned = [at for at in route if at <= p.signing]
        if p.target == S.PROCESSING:
            p.stop_at = rng.choice(route)
        elif (p.target, p.variant) in ENDS_IN_PROCESSING:
            later = unsigned[1:] if p.target == S.STOPPED else []
            p.stop_at = rng.choice(later or unsigned)
        if p.late or p.apology:
            p.slow_at = p.stop_at or rng.choice(route)
        if p.sends_back and len(unsigned) > 1:
            p.send_back_at = rng.choice(unsigned[1:])
        competent = p.proc.content["competent_agency"]
        specialists = [
            at
            for at in route
            if steps[at - 1]["role"] == "specialist"
            and steps[at - 1].get("agency", competent) == competent
        ]
        if specialists and rng.random() < 0.7:
            p.assign_at = specialists[0]

    def _limit(self, p: Plan, start: datetime.datetime) -> int:
        """Working minutes from `start` to the due time the services will set."""
        content = p.proc.content
        limit = content["time_limit"]
        if p.channel == Channel.ONLINE and content.get("online_time_limit"):
            limit = content["online_time_limit"]
        calendar = self.world.calendar
        due = calendar.due_time(start, Decimal(str(limit["value"])), limit["unit"])
        return calendar.working_minutes_between(start, due)

    def _lapse(self, p: Plan, start: datetime.datetime) -> int:
        """Working minutes an applicant asked at `start` has to supply (Mẫu 02's deadline)."""
        limit: dict[str, Any] = (
            p.proc.content.get("supplement_time_limit") or DEFAULT_SUPPLEMENT_LIMIT
        )
        calendar = self.world.calendar
        due = calendar.due_time(start, Decimal(str(limit["value"])), limit["unit"])
        return calendar.working_minutes_between(start, due)

    def _fits(self, p: Plan, start: datetime.datetime) -> bool:
        """Whether a story starting then can end where the plan says before the horizon."""
        avail = self.world.calendar.working_minutes_between(start, self.world.horizon)
        work, wait = p.proc.minutes(), 300 if p.channel == Channel.ONLINE else 0
        extra = wait + 1500 * p.intake_supplement + 3000 * p.supplement + 1700 * p.obligation
        extra += work // 2 if p.sends_back else 0
        target, limit = p.target, self._limit(p, start) + wait
        if (target, p.variant) in LAPSES:  # asked early on, then its deadline and a day
            return avail >= wait + 1500 * p.intake_supplement + self._lapse(p, start) + 3 * DAY
        if target == S.RECEIVED:
            return 30 <= avail <= 400
        if target == S.SUPPLEMENT_REQUESTED:
            return (400 if p.variant == "intake" else wait + 700) <= avail <= 4 * DAY
        if target == S.AWAITING_OBLIGATION:
            before = wait + p.proc.minutes(p.proc.tax_position) + 300
            return before <= avail <= before + 3 * DAY
        if target == S.PROCESSING:
            return avail >= limit + 120 if p.late else wait + 90 <= avail < limit - 60
        if target in {S.RESULT_READY, S.RETURNED}:
            span = extra + (limit + p.extension_days * DAY + work // 3 if p.late else work)
            if target == S.RETURNED:
                return avail >= span + 3 * DAY
            return span <= avail <= span + 3 * DAY
        if p.variant == "supplement":  # withdrawn while the supplement is awaited
            return avail >= 7 * DAY
        if p.variant == "processing":  # stopped or withdrawn during processing
            return avail >= work + extra + 300
        return avail >= 400

    def _place(self, p: Plan, before: datetime.datetime | None = None) -> bool:
        """Pick the instant of submission: office hours at a desk, any waking hour online;
        before `before` when given."""
        rng, calendar, horizon = p.rng, self.world.calendar, self.world.horizon
        span = (horizon.date() - self.world.first_day).days
        days = [self.world.first_day + datetime.timedelta(days=i) for i in range(span)]
        if p.channel != Channel.ONLINE:
            days = [day for day in days if calendar.is_working_day(day)]
        if p.target == S.SUBMITTED:  # waiting at the desk: since the last afternoon
            last = max(day for day in days if calendar.is_working_day(day))
            days = [day for day in days if day >= last]
        rng.shuffle(days)
        starts = [self._instant(p, day) for day in days]
        starts = [start for start in starts if start < (before or horizon)]
        if p.target == S.SUBMITTED:
            starts = [s for s in starts if s.astimezone(calendar.tz).hour >= 15 or s.date() > last]
        for start in starts:
            if p.target == S.SUBMITTED or self._fits(p, start):
                p.start = start
                return True
        p.start = min(starts) if starts else (before or horizon) - datetime.timedelta(hours=2)
        return False

    def _instant(self, p: Plan, day: datetime.date) -> datetime.datetime:
        calendar = self.world.calendar
        if p.channel == Channel.ONLINE:
            at = datetime.time(p.rng.randint(6, 22), p.rng.randint(0, 59), p.rng.randint(0, 59))
            return datetime.datetime.combine(day, at, tzinfo=calendar.tz)
        opening = calendar.next_opening(
            datetime.datetime.combine(day, datetime.time.min, tzinfo=calendar.tz)
        )
        minute = p.rng.randint(5, calendar.day_minutes - 15)
        return calendar.add_working_time(opening, minute) + datetime.timedelta(
            seconds=p.rng.randint(0, 59)
        )

    def _people(self, p: Plan) -> None:
        """The applicant, the e-form, someone submitting for them, the citizen account."""
        rng, people = p.rng, People(p.rng)
        home = p.desk if p.desk.committee else rng.choice([d for d in self.desks if d.committee])
        day = p.start.astimezone(self.world.calendar.tz).date()
        if p.who is not None:  # the demo citizen, at home in the desk's ward
            who, street, email = p.who, DEMO_CITIZEN_STREET, DEMO_CITIZEN_EMAIL
        else:
            gender = "female" if p.proc.code == "1.001193" and rng.random() < 0.7 else ""
            who = people.person(ages=p.proc.ages, on=day, prefix=home.prefix, gender=gender)
            street = people.street(home.place)
            email = ""
        if not email and (p.channel == Channel.ONLINE or rng.random() < 0.2):
            email = f"{_ascii(who.name.split()[-1])}.{_ascii(who.name.split()[0])}"
            email = f"{email}{rng.randint(1, 99)}@example.vn".lower()
        p.applicant = Applicant(
            type=1,
            name=who.name,
            id_number=who.id_number,
            birth_date=who.birth,
            gender=who.gender,
            phone=who.phone,
            email=email,
            ward_code=home.ward_code,
            street=street,
        )
        if p.proc.code == "1.012789" and rng.random() < 0.4:  # a firm asks for land data
            trade = rng.choice(["Thương mại Dịch vụ", "Xây dựng", "Nông sản", "Bất động sản"])
            brand = rng.choice(["Phú Hòa", "Bình Minh", "Tân Phát", "Hưng Thịnh", "Cửu Long"])
            p.applicant = Applicant(
                type=2,
                name=f"Công ty TNHH {trade} {brand}",
                tax_code=f"16{rng.randint(0, 99999999):08d}",
                representative=who.name,
                phone=who.phone,
                email=email,
                ward_code=home.ward_code,
                street=street,
            )
        form = FORMS.get(p.proc.code)
        if form is not None:
            context = FormContext(rng, people, who, home.place, street, day, home.prefix)
            p.form_data = {k: v for k, v in form(context).items() if v != ""}
        p.recipient = (who.name, who.id_number)
        if p.channel == Channel.COUNTER and p.who is None and rng.random() < 0.1:
            helper = people.person(ages=(20, 60), on=day, prefix=home.prefix)
            p.submitter = Submitter(helper.name, helper.id_number, helper.phone)
            p.recipient = (helper.name, helper.id_number)
        if p.channel == Channel.ONLINE:
            self.citizens += 1
            p.citizen = User.objects.create_user(
                username=f"congdan.{self.citizens:04d}",
                email=email,
                password=None,  # an unusable password: citizens sign in through VNeID
                first_name=who.name,  # the whole name, as staff accounts have it
            )


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return plain.encode("ascii", "ignore").decode()


def _targets(rng: random.Random, count: int) -> list[tuple[Status, str]]:
    """Each status's share of the month, at least one of each; `returned` takes the rest."""
    targets: list[tuple[Status, str]] = []
    for status, variant, share in SHARES:
        ways = WAYS.get(status, [variant])
        targets += [(status, ways[i % len(ways)]) for i in range(max(1, round(share * count)))]
    targets += [(S.RETURNED, "")] * (count - len(targets))
    rng.shuffle(targets)
    return targets[:count]


# ------------------------------------------------------------------------- stories

REFUSALS = [
    "Thành phần hồ sơ tải lên không phải bản chụp từ bản chính, không đọc được nội dung.",
    "Hồ sơ đã được nộp trùng với một hồ sơ khác đang giải quyết.",
    "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
]
SUPPLEMENT_NOTES = [
    "bản chụp bị mờ, không đọc được số định danh cá nhân",
    "thiếu chữ ký của người yêu cầu",
    "thông tin kê khai chưa khớp với Cơ sở dữ liệu quốc gia về dân cư",
]
STOP_REASONS = [
    "Qua thẩm định, hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả xác minh cho thấy thông tin kê khai không đúng với dữ liệu đang quản lý.",
]
APOLOGY_REASONS = [
    "Hồ sơ phải chờ kết quả xác minh của cơ quan phối hợp nên chưa giải quyết đúng hẹn.",
    "Cơ sở dữ liệu chuyên ngành gặp sự cố kỹ thuật, chưa cập nhật được kết quả.",
    "Số hồ sơ tiếp nhận tăng đột biến, chưa giải quyết kịp thời hạn đã hẹn.",
]
SEND_BACK_NOTES = [
    "Dự thảo kết quả ghi sai ngày sinh, đề nghị kiểm tra lại.",
    "Chưa ghi đầy đủ căn cứ pháp lý, đề nghị hoàn thiện dự thảo.",
]
WITHDRAW_NOTE = "Người yêu cầu có đơn đề nghị rút hồ sơ."

Story = Generator[datetime.datetime, None, None]
# A part of a story: yields instants, returns where it got to (None: the story ended there).
Part = Generator[datetime.datetime, None, datetime.datetime | None]


class DossierStory:
    """One dossier's life as a generator: it yields the instant of its next action and takes
    that action when resumed, with the demo clock at that instant."""

    def __init__(self, plan: Plan, world: World) -> None:
        self.p, self.w, self.rng, self.cal = plan, world, plan.rng, world.calendar
        self.pk = 0
        self.competent = ""
        # Squeeze every action in before the horizon, so the story ends where it was planned;
        # a processing story lets the horizon cut it instead.
        self.squeeze = True

    # -- time
    def later(self, at: datetime.datetime, minutes: int) -> datetime.datetime:
        """Some working minutes later (staff act in office hours)."""
        if self.squeeze:
            minutes = min(minutes, self.cal.working_minutes_between(at, self.w.horizon) // 3)
        moment = self.cal.add_working_time(at, max(1, int(minutes)))
        return moment + datetime.timedelta(seconds=self.rng.randint(0, 59))

    def by_citizen(self, at: datetime.datetime, minutes: int) -> datetime.datetime:
        """Some minutes later, at a waking hour (citizens act online at any time)."""
        moment = (at + datetime.timedelta(minutes=minutes)).astimezone(self.cal.tz)
        if moment.hour >= 23 or moment.hour < 6:
            morning = moment.date() + datetime.timedelta(days=moment.hour >= 23)
            wake = datetime.time(6, self.rng.randint(0, 59), self.rng.randint(0, 59))
            moment = datetime.datetime.combine(morning, wake, tzinfo=self.cal.tz)
        if self.squeeze and moment >= self.w.horizon:
            moment = at + (self.w.horizon - at) / 3
        return moment

    def minutes(self, position: int) -> int:
        """How long a step takes this time: a quarter to 85% of its share."""
        hours = Decimal(str(self.p.proc.steps[position - 1]["hours"]))
        return int(hours * 60 * Decimal(str(self.rng.uniform(0.25, 0.85))))

    # -- acts
    def dossier(self) -> Dossier:
        return Dossier.objects.select_related("competent_agency").get(pk=self.pk)

    def act(self, action: str, actor: User | None, note: str = "", **params: Any) -> None:
        current = self.dossier()
        key = current.code or str(current.reference)
        dossier_perform(
            key=key, action=action, actor=actor, version=current.version, note=note, **params
        )

    def worker(self) -> User:
        """Who does the open step: whoever it was given to, else its role's holder there."""
        task = open_task_of(self.dossier())
        assert task is not None  # noqa: S101 - the story only asks while a step is open
        return task.assignee or self.w.worker(task.agency.code, task.role)

    def asker(self) -> User:
        """Who asks the applicant for more: the open step's specialist, else the leader."""
        task = open_task_of(self.dossier())
        return self.worker() if task is not None and task.role == "specialist" else self.leader

    @property
    def desk(self) -> User:
        return self.w.holders[self.p.desk.agency.code, "reception"]

    @property
    def leader(self) -> User:
        return self.w.holders[self.competent, "leader"]

    def scan(self, document: dict[str, Any]) -> IntakeFile:
        """A paper of the dossier, as its scan or upload."""
        applicant = self.p.applicant.name if self.p.applicant else ""
        scan = _scan([document["name"][:70], applicant, "Ban chup - du lieu mau MotCua"])
        name = f"{document['code']} {document['name'][:60]}.pdf"
        return IntakeFile(document["code"], BytesIO(scan), name, len(scan))

    def attach(self, actor: User, document: dict[str, Any], *, digitised: bool) -> None:
        paper, current = self.scan(document), self.dossier()
        document_attach(
            actor=actor,
            key=current.code or str(current.reference),
            stream=paper.stream,
            name=paper.name,
            size=paper.size,
            component=paper.component,
            digitised=digitised,
        )

    def papers(self) -> list[dict[str, Any]]:
        documents: list[dict[str, Any]] = self.p.proc.content["documents"]
        return [d for d in documents if d["mandatory"]][:3] or documents[:1]

    def counter_papers(self) -> list[dict[str, Any]]:
        """What the counter scans before it receives: every mandatory paper (a receipt
        needs each scanned or checked in the original)."""
        documents: list[dict[str, Any]] = self.p.proc.content["documents"]
        return [d for d in documents if d["mandatory"]] or documents[:1]

    def items(self) -> list[str]:
        document = self.rng.choice(self.p.proc.content["documents"])
        return [f"{document['name']}: {self.rng.choice(SUPPLEMENT_NOTES)}"]

    # -- the life
    def run(self) -> Story:
        p, rng, t = self.p, self.rng, self.p.start
        online, citizen = p.channel == Channel.ONLINE, p.citizen
        assert p.applicant is not None  # noqa: S101
        yield t
        if p.channel == Channel.COUNTER:  # scanned, then received: Mẫu 01 lists the papers
            dossier = counter_intake(
                actor=self.desk,
                procedure_code=p.proc.code,
                agency_code=p.desk.agency.code,
                applicant=p.applicant,
                return_method=p.return_method,
                form_data=p.form_data,
                submitter=p.submitter,
                files=[self.scan(document) for document in self.counter_papers()],
                decision="receive",
                note="",
                items=[],
            )
        else:  # uploaded by the citizen, or taken out of the envelope at the desk
            dossier = dossier_create(
                actor=citizen if online and citizen else self.desk,
                procedure_code=p.proc.code,
                channel=p.channel,
                applicant=p.applicant,
                return_method=p.return_method,
                form_data=p.form_data,
                agency_code=p.desk.agency.code,
                submitter=p.submitter,
                receive=False,
            )
        self.pk, self.competent = dossier.pk, dossier.competent_agency.code
        uploads = [] if p.channel == Channel.COUNTER else self.papers()  # the counter's are on
        for document in uploads:
            t = self.by_citizen(t, rng.randint(1, 6)) if online else self.later(t, 2)
            yield t
            self.attach(
                citizen if online and citizen else self.desk, document, digitised=not online
            )
        if p.channel == Channel.POSTAL:
            t = self.later(t, 2)
            yield t
            self.act("receive", self.desk)
        if p.target == S.SUBMITTED:
            return
        if p.variant == "submitted":  # withdrawn before the desk looked at it
            t = self.by_citizen(t, rng.randint(60, 1800))
            yield t
            self.act("withdraw", citizen, note=WITHDRAW_NOTE)
            return
        if online:
            t = self.later(t, rng.randint(15, 300))
            yield t
            if p.target == S.REFUSED and not p.intake_supplement:
                self.act("refuse", self.desk, note=rng.choice(REFUSALS))
                return
            if p.intake_supplement:
                self.act(
                    "request_supplement",
                    self.desk,
                    note="Hồ sơ chưa đầy đủ, hợp lệ.",
                    items=self.items(),
                )
                if p.target == S.SUPPLEMENT_REQUESTED:
                    return
                if p.target == S.REFUSED:  # never supplied: it never gets a code
                    t = self.past_deadline()
                    yield t
                    self.act("refuse", None if rng.random() < 0.5 else self.desk, note=LAPSED_NOTE)
                    return
                t = self.by_citizen(t, rng.randint(240, 2880))
                yield t
                self.attach(citizen or self.desk, rng.choice(self.papers()), digitised=False)
                t = self.later(t, rng.randint(10, 240))
                yield t
                self.act("complete_supplement", self.desk)
            else:
                self.act("receive", self.desk)
        if p.target == S.RECEIVED:
            return
        if p.variant == "received":
            t = self.later(t, rng.randint(30, 400))
            yield t
            self.act("withdraw", self.desk, note=WITHDRAW_NOTE)
            return
        t = self.later(t, self.minutes(1))
        yield t
        self.act("transfer", self.desk)
        if p.target == S.PROCESSING:
            self.squeeze = False
        decided = yield from self.process(t)
        if decided is None or p.target == S.RESULT_READY:
            return
        who: User | None = citizen
        if p.return_method == ReturnMethod.ONLINE and citizen:  # downloading is the return
            t = self.by_citizen(decided, rng.randint(30, 1440))
        else:  # at the desk, or the post office's callback (the system)
            postal = p.return_method == ReturnMethod.POSTAL
            delay = rng.randint(DAY, 2 * DAY) if postal else rng.randint(30, 3 * DAY)
            t = self.later(decided, delay)
            who = None if postal else self.desk
        yield t
        if who is self.desk:  # handed over at the counter: to whom goes on record
            name, id_number = p.recipient
            self.act("return_result", who, recipient_name=name, recipient_id_number=id_number)
        else:
            self.act("return_result", who)

    def process(self, t: datetime.datetime) -> Part:
        """The process steps on the dossier's route after the desk's; returns the instant the
        result is ready, or None when the story ends before a result."""
        p, rng, route, done = self.p, self.rng, self.p.route, set()
        at = 0  # where on the route the dossier is
        while True:
            position = route[at]
            if position == p.assign_at and "assign" not in done and self.unassigned():
                done.add("assign")
                t = self.later(t, rng.randint(5, 90))
                yield t
                self.assign()
            if p.supplement and "supplement" not in done:
                done.add("supplement")
                ended = yield from self.supplement(t)
                if ended is None:
                    return None
                t = ended
            if p.obligation and position == p.proc.tax_position and "tax" not in done:
                done.add("tax")
                t = self.later(t, self.minutes(position) // 2)
                yield t
                self.act("request_obligation", self.leader, note=OBLIGATIONS[p.proc.code])
                if p.target == S.AWAITING_OBLIGATION:
                    return None
                t = self.later(t, rng.randint(120, 3 * DAY))
                yield t
                self.act("confirm_obligation", None if rng.random() < 0.6 else self.desk)
            if position == p.slow_at and p.apology and "apology" not in done:
                done.add("apology")
                t = yield from self.apologize(t)
            if position == p.stop_at:
                if p.target == S.PROCESSING:
                    return None
                t = self.later(t, self.minutes(position))
                yield t
                if p.target == S.STOPPED:
                    self.act("stop", self.leader, note=rng.choice(STOP_REASONS))
                else:
                    online_owner = p.citizen is not None and rng.random() < 0.5
                    self.act(
                        "withdraw", p.citizen if online_owner else self.desk, note=WITHDRAW_NOTE
                    )
                return None
            finish = self.later(t, self.minutes(position))
            if position == p.slow_at and p.late and "late" not in done:
                done.add("late")
                finish = max(finish, self.overrun())
            t = finish
            yield t
            if position == p.send_back_at and "back" not in done:
                done.add("back")
                self.act("send_back", self.worker(), note=rng.choice(SEND_BACK_NOTES))
                at -= 1
                continue
            # The leader signs at the signing step; every other step is handed on, and the
            # last one's hand-over (or the signing, when it is last) makes the result ready.
            if position == p.signing:
                self.approve(self.worker())
            else:
                self.act("forward", self.worker())
            if at == len(route) - 1:
                return t
            at += 1

    def approve(self, leader: User) -> None:
        """The leader signs: with the signed result attached when the plan says so (one use
        case, `dossier_approve`), else the approval alone."""
        if not self.p.signed_result:
            self.act("approve", leader)
            return
        current = self.dossier()
        result = self.p.proc.content["result_name"].split(" (")[0]
        applicant = self.p.applicant
        assert applicant is not None and applicant.birth_date is not None  # noqa: S101
        signer = leader.get_full_name() or leader.get_username()
        text = _scan(
            [
                current.competent_agency.name.upper(),
                result.upper(),
                f"So ho so: {current.code}",
                f"Ho va ten: {applicant.name}",
                f"Ngay sinh: {applicant.birth_date:%d/%m/%Y}",
                f"So dinh danh ca nhan: {applicant.id_number}",
                f"Ky so: {signer}, {timezone.localtime():%d/%m/%Y}",
                "Ban dien tu - du lieu mau MotCua",
            ]
        )
        dossier_approve(
            actor=leader,
            key=current.code or str(current.reference),
            version=current.version,
            result=ResultFile(BytesIO(text), f"{result}.pdf", len(text)),
        )

    def unassigned(self) -> bool:
        task = open_task_of(self.dossier())
        return task is not None and task.assignee_id is None

    def assign(self) -> None:
        """The competent agency's leader hands the step, left unassigned since its agency has
        several officers of its role, to one of them."""
        current = self.dossier()
        task = open_task_of(current)
        assert task is not None  # noqa: S101 - asked only while a step waits unassigned
        officer = self.rng.choice(assignable_officers(task=task))
        task_assign(
            actor=self.leader,
            key=current.code or str(current.reference),
            version=current.version,
            assignee_username=officer.get_username(),
        )

    def supplement(self, t: datetime.datetime) -> Part:
        """Asked within 3 working days of receipt; then handed in (online, or at the counter)
        and accepted by the officer who asked, or never given: withdrawn, or stopped once the
        deadline on Mẫu 02 has passed."""
        p, rng = self.p, self.rng
        received = self.dossier().received_at or t
        spent = self.cal.working_minutes_between(received, t)
        t = self.later(t, min(rng.randint(30, 600), 3 * DAY - spent - 30))
        yield t
        asker = self.asker()
        self.act("request_supplement", asker, note="Đề nghị bổ sung hồ sơ.", items=self.items())
        if p.target == S.SUPPLEMENT_REQUESTED and rng.random() < 0.5:
            return None  # nothing handed in yet
        if p.target == S.WITHDRAWN:
            t = self.later(t, rng.randint(DAY, 4 * DAY))
            yield t
            self.act("withdraw", p.citizen or self.desk, note=WITHDRAW_NOTE)
            return None
        if p.target == S.STOPPED:  # the applicant let the deadline pass
            t = self.past_deadline()
            yield t
            self.act("stop", None if rng.random() < 0.5 else self.leader, note=LAPSED_NOTE)
            return None
        t = self.later(t, rng.randint(DAY // 2, 4 * DAY))
        yield t
        online = p.citizen is not None
        applicant = p.citizen or self.desk  # the desk records what is brought to the counter
        self.attach(applicant, rng.choice(self.papers()), digitised=not online)
        t = self.later(t, 2)
        yield t
        self.act("submit_supplement", applicant)
        if p.target == S.SUPPLEMENT_REQUESTED:
            return None  # handed in: the officer who asked has yet to look
        t = self.later(t, rng.randint(30, 480))
        yield t
        self.act("complete_supplement", asker)
        return t

    def past_deadline(self) -> datetime.datetime:
        """When a supplement never given ends the dossier: after the deadline Mẫu 02 set,
        by the leader or the desk, or by the daily job (the system)."""
        supplement = open_supplement_of(self.dossier())
        assert supplement is not None and supplement.deadline is not None  # noqa: S101
        return self.later(supplement.deadline, self.rng.randint(10, DAY))

    def apologize(
        self, t: datetime.datetime
    ) -> Generator[datetime.datetime, None, datetime.datetime]:
        """Mẫu 04 before the due time: a working day ahead, or less (late notice)."""
        p, rng = self.p, self.rng
        due = self.dossier().due_at or t
        room = self.cal.working_minutes_between(t, due)
        notice = rng.randint(30, DAY - 60) if p.late_notice else rng.randint(DAY + 30, 2 * DAY)
        if p.target == S.PROCESSING and not p.late:
            notice = room - rng.randint(30, 300)  # said early: the step cannot finish in time
        t = self.later(t, room - notice if room > notice else rng.randint(5, 60))
        yield t
        new_due = self.cal.add_working_time(max(due, t), p.extension_days * DAY)
        self.act("apologize", self.leader, note=rng.choice(APOLOGY_REASONS), new_due_at=new_due)
        return t

    def overrun(self) -> datetime.datetime:
        """When a late step ends: after the due time; with an apology, mostly before the new."""
        apology = Apology.objects.filter(dossier_id=self.pk).first()
        if apology is None:
            return self.later(self.dossier().due_at or self.p.start, self.rng.randint(60, 1200))
        span = self.cal.working_minutes_between(apology.original_due_at, apology.new_due_at)
        if self.rng.random() < 0.8:
            return self.later(apology.original_due_at, self.rng.randint(30, max(31, span - 60)))
        return self.later(apology.new_due_at, self.rng.randint(30, 600))


# ------------------------------------------------------------------- the clock


class DemoClock:
    """The instant the services take for now while the demo month is played."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now


@contextmanager
def demo_clock(start: datetime.datetime) -> Iterator[DemoClock]:
    """Make `django.utils.timezone.now()` return `clock.now` inside the block; demo seed only.

    The services take the time of an action from `timezone.now()`, as they should: a person
    acts now, and no caller may pass another time. A past month can only be written through
    them if "now" is moved, so this patches that one function for the length of the block and
    the seed moves `clock.now` forward. Never use it for real dossiers.
    """
    if timezone.is_naive(start):
        raise ValueError("demo_clock needs an aware datetime")
    clock = DemoClock(start)
    with mock.patch.object(timezone, "now", lambda: clock.now.astimezone(datetime.UTC)):
        yield clock


def _play(stories: list[Story], clock: DemoClock, horizon: datetime.datetime) -> None:
    """Run every story's actions in time order (ties: the story planned first)."""
    queue: list[tuple[datetime.datetime, int, Story]] = []
    for number, story in enumerate(stories):
        first = next(story, None)
        if first is not None and first < horizon:
            heapq.heappush(queue, (first, number, story))
    while queue:
        at, number, story = heapq.heappop(queue)
        clock.now = at
        following = next(story, None)  # takes the action due at `at`, names the next one
        if following is None:
            continue
        if following < at:
            raise AssertionError(f"story {number} went back in time")
        if following < horizon:
            heapq.heappush(queue, (following, number, story))
        else:
            story.close()  # the rest of its life is after today's start


# ------------------------------------------------------------------------ report


@dataclass
class DossierSeedReport:
    created: int
    by_status: dict[str, int]  # every status, in lifecycle order
    decided_late: int = 0  # decided after the (original) due time
    overdue: int = 0  # still open, past the due time (as flagged now)
    apologised: int = 0
    late_notices: int = 0
    staff_created: list[str] = field(default_factory=list)  # new accounts, DEMO_PASSWORD
    citizens_created: int = 0
    skipped: bool = False  # dossiers existed already: nothing was written

    def summary(self) -> str:
        """One line in Vietnamese for the seed command."""
        if self.skipped:
            total = sum(self.by_status.values())
            return f"Đã có {total} hồ sơ trong hệ thống: không tạo hồ sơ mẫu."
        counts = ", ".join(
            f"{Status(status).label.lower()} {n}" for status, n in self.by_status.items()
        )
        return (
            f"Hồ sơ mẫu: {self.created} ({counts}); {self.decided_late} giải quyết quá hạn, "
            f"{self.overdue} đang quá hạn, {self.apologised} thư xin lỗi "
            f"({self.late_notices} báo muộn). Tài khoản mới: {self.citizens_created} công dân, "
            f"{len(self.staff_created)} cán bộ ({', '.join(self.staff_created)})."
        )


def _by_status() -> dict[str, int]:
    rows = dict(Dossier.objects.values_list("status").annotate(n=Count("pk")))
    return {status.value: rows.get(status.value, 0) for status in Status}


def seed_demo_dossiers(*, days: int = 30, count: int = 300) -> DossierSeedReport:
    """About `count` dossiers received in the `days` days before today, through the services.

    Needs `seed_demo` first (agencies, procedures, demo logins). Does nothing, and says so in
    the report, if any dossier exists. Deterministic: the same day and database state give the
    same dossiers (a fixed seed; nothing happens after the start of today).
    """
    if Dossier.objects.exists():
        return DossierSeedReport(created=0, by_status=_by_status(), skipped=True)
    if days < 14 or count < 20:
        raise ValueError("a demo month needs at least 14 days and 20 dossiers")
    logins = [login.username for login in DEMO_LOGINS]
    if User.objects.filter(username__in=logins).count() < len(logins):
        raise RuntimeError("Chạy seed_demo trước: chưa có các tài khoản dùng thử.")
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    calendar = working_calendar()
    today = timezone.localdate()
    horizon = datetime.datetime.combine(today, datetime.time.min, tzinfo=calendar.tz)
    procs = []
    for code, (weight, ages) in PROCEDURES.items():
        procedure = procedure_in_force(national_code=code)
        content = procedure.revisions.get(version=procedure.version).content
        procs.append(Proc(code, content, weight, ages))
    desks = _desks()
    holders, staff_created = _staff(desks, procs, People(random.Random(SEED)))  # noqa: S311
    world = World(calendar, horizon, today - datetime.timedelta(days=days), holders)
    planner = Planner(rng, world, desks, procs)
    # The demo citizen's two dossiers and the Justice one make up the count.
    targets = _targets(rng, count - 3)
    plans = [planner.plan(target, variant) for target, variant in targets]
    plans += planner.demo_citizen_plans()
    plans.append(planner.justice_plan())
    stories = [DossierStory(plan, world).run() for plan in plans]
    with demo_clock(horizon) as clock:
        _play(stories, clock, horizon)
    deadlines_flag(now=timezone.now())
    dossiers = Dossier.objects.all()
    return DossierSeedReport(
        created=dossiers.count(),
        by_status=_by_status(),
        decided_late=dossiers.filter(outcome=Outcome.LATE).count(),
        overdue=dossiers.filter(overdue=True, clock_state=ClockState.RUNNING).count(),
        apologised=Apology.objects.count(),
        late_notices=Apology.objects.filter(late_notice=True).count(),
        staff_created=staff_created,
        citizens_created=planner.citizens,
    )
