import copy
import datetime
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from egov.catalog.services import procedures_import
from egov.core.reference import clear_process_cache
from egov.orgs.models import Agency
from egov.orgs.services import agency_upsert, staff_provision

REFORM_DAY = datetime.date(2025, 7, 1)
VN = datetime.timezone(datetime.timedelta(hours=7))
PASSWORD = "Cong-dan-An-Giang-2026"

PROVINCE = "000.00.00.H01"
JUSTICE = "000.00.03.H01"
POLICE = "000.00.13.H01"
CENTER = "000.00.31.H01"
COMMUNE = "000.03.50.H01"
COMMUNE_CENTER = "001.03.50.H01"


@pytest.fixture(autouse=True)
def fresh_reference_cache() -> Iterator[None]:
    """Each test starts with an empty reference cache: the test's rollback takes the stamp's
    row back to a value this process may already hold data for (egov.core.reference)."""
    clear_process_cache()
    yield
    clear_process_cache()


@pytest.fixture
def agencies(db: Any) -> dict[str, Agency]:
    """A small province: the committee, two bodies, the service center, one commune."""
    rows = [
        (PROVINCE, "Ủy ban nhân dân tỉnh An Giang", "provincial_committee", None, None),
        (JUSTICE, "Sở Tư pháp tỉnh An Giang", "department", PROVINCE, None),
        (POLICE, "Công an tỉnh An Giang", "vertical_unit", PROVINCE, None),
        (
            CENTER,
            "Trung tâm Phục vụ hành chính công tỉnh An Giang",
            "province_service_center",
            PROVINCE,
            None,
        ),
        (COMMUNE, "Ủy ban nhân dân phường Long Xuyên", "commune_committee", PROVINCE, 30307),
        (
            COMMUNE_CENTER,
            "Trung tâm Phục vụ hành chính công phường Long Xuyên",
            "commune_service_center",
            COMMUNE,
            30307,
        ),
    ]
    created = {}
    for code, name, kind, parent, ward in rows:
        created[code], _ = agency_upsert(
            code=code,
            name=name,
            kind=kind,
            parent_code=parent,
            province_code=91,
            ward_code=ward,
            valid_from=REFORM_DAY,
        )
    return created


BIRTH = {
    "national_code": "1.001193",
    "code_verified": True,
    "name": "Thủ tục đăng ký khai sinh",
    "sector": {"code": "HT", "name": "Hộ tịch"},
    "level": "commune",
    "competent_agency": None,
    "competent_agency_kind": "commune_committee",
    "online_level": "full",
    "legacy_online_level": 4,
    "full_process_eligible": True,
    "time_limit": {"value": 1, "unit": "working_days"},
    "online_time_limit": None,
    "postal_intake": True,
    "postal_return": True,
    "paper_result": True,
    "result_name": "Giấy khai sinh (bản chính)",
    "legal_basis": "Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP",
    "requirements": "",
    "valid_from": "2025-07-01",
    "valid_to": None,
    "documents": [
        {
            "code": "TP01",
            "name": "Tờ khai đăng ký khai sinh",
            "copy_kind": "original",
            "quantity": 1,
            "mandatory": True,
            "template": "Mẫu TP/HT-2020-KS.1",
            "reusable": False,
        },
        {
            "code": "TP02",
            "name": "Giấy chứng sinh",
            "copy_kind": "original",
            "quantity": 1,
            "mandatory": True,
            "template": "",
            "reusable": False,
        },
    ],
    "fees": [
        {
            "code": "LP01",
            "name": "Lệ phí đăng ký khai sinh",
            "kind": "charge",
            "amount": 0,
            "note": "Miễn lệ phí khi đăng ký đúng hạn",
        },
    ],
    "steps": [
        {
            "name": "Tiếp nhận hồ sơ",
            "agency_kind": "commune_service_center",
            "role": "reception",
            "hours": 1,
        },
        {
            "name": "Thẩm định hồ sơ",
            "agency_kind": "commune_committee",
            "role": "specialist",
            "hours": 4,
        },
        {
            "name": "Đăng ký thường trú (liên thông)",
            "agency": POLICE,
            "role": "specialist",
            "hours": 1.5,
        },
        {"name": "Ký duyệt", "agency_kind": "commune_committee", "role": "leader", "hours": 1.5},
    ],
    "form_schema": {
        "fields": [
            {
                "name": "child_full_name",
                "label": "Họ, chữ đệm và tên của trẻ",
                "type": "text",
                "required": False,
            },
            {
                "name": "child_gender",
                "label": "Giới tính",
                "type": "select",
                "required": False,
                "choices": [["male", "Nam"], ["female", "Nữ"]],
            },
        ]
    },
}

CRIMINAL_RECORD = {
    **copy.deepcopy(BIRTH),
    "national_code": "2.001417",
    "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "sector": {"code": "LLTP", "name": "Lý lịch tư pháp"},
    "level": "province",
    "competent_agency": JUSTICE,
    "competent_agency_kind": None,
    "online_level": "partial",
    "legacy_online_level": 3,
    "full_process_eligible": False,
    "time_limit": {"value": 10, "unit": "working_days"},
    "postal_intake": False,
    "postal_return": True,
    "result_name": "Phiếu lý lịch tư pháp",
    "legal_basis": "Luật Lý lịch tư pháp năm 2009",
    "fees": [
        {
            "code": "P01",
            "name": "Phí cung cấp thông tin lý lịch tư pháp",
            "kind": "fee",
            "amount": 200000,
            "note": "",
        },
    ],
    "steps": [
        {"name": "Tiếp nhận hồ sơ", "agency": CENTER, "role": "reception", "hours": 4},
        {"name": "Xác minh", "agency": POLICE, "role": "specialist", "hours": 40},
        {"name": "Lập phiếu", "agency": JUSTICE, "role": "specialist", "hours": 28},
        {"name": "Ký phiếu", "agency": JUSTICE, "role": "leader", "hours": 8},
    ],
    "form_schema": {"fields": []},
}


def catalogue(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {"format": "motcua.procedures/1", "procedures": copy.deepcopy(list(procedures))}


@pytest.fixture
def procedures(agencies: dict[str, Agency]) -> None:
    procedures_import(data=catalogue(BIRTH, CRIMINAL_RECORD))


@pytest.fixture
def staff(agencies: dict[str, Agency]) -> Any:
    """Make a staff account with roles in an agency."""

    def make(username: str, agency: str, *roles: str) -> Any:
        user, _ = staff_provision(
            username=username, password=PASSWORD, agency_code=agency, roles=roles
        )
        return user

    return make


CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright; browser tests skip (and say so) without it,
    except where MOTCUA_REQUIRE_BROWSER is set (CI), where they fail."""
    if CHROMIUM is None:
        message = "chromium is not installed (apt-get install -y chromium): browser test"
        if os.environ.get("MOTCUA_REQUIRE_BROWSER"):
            pytest.fail(f"{message} required by MOTCUA_REQUIRE_BROWSER")
        pytest.skip(f"{message} skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN")
    yield context.new_page()
    context.close()


class Clock:
    """Sets the time the services see (`timezone.now`), in the province's zone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime.datetime(2026, 11, 16, 8, 0, tzinfo=VN)  # a Monday morning
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args: int) -> None:
        self.now = datetime.datetime(*args, tzinfo=VN)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def people(staff: Any) -> dict[str, Any]:
    """One person for each part of a dossier's life in the small province."""
    return {
        "desk": staff("tiepnhan.xa", COMMUNE_CENTER, "reception"),
        "specialist": staff("chuyenvien.xa", COMMUNE, "specialist"),
        "leader": staff("lanhdao.xa", COMMUNE, "leader"),
        "police": staff("congan", POLICE, "specialist"),
        "province_desk": staff("tiepnhan.tinh", CENTER, "reception"),
        "justice": staff("chuyenvien.stp", JUSTICE, "specialist"),
        "justice_leader": staff("lanhdao.stp", JUSTICE, "leader"),
        "auditor": staff("thanhtra", PROVINCE, "auditor"),
    }
