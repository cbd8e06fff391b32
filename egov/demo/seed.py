"""Seed the demo province through the real services; running it twice writes nothing new."""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model

from egov.catalog.services import ImportResult, procedures_import
from egov.interop.inbound.services import connection_account_create
from egov.interop.services.registry import registry_install
from egov.orgs.services import agency_upsert, calendar_entry_set, staff_provision

from .agencies import PROVINCE_CODE, all_agencies, officer_title

PROCEDURES_FILE = Path(__file__).with_name("procedures.json")
# The day the two-tier structure took effect (NQ 202/2025/QH15): every demo agency's start.
REFORM_DAY = datetime.date(2025, 7, 1)
# One password for every demo account, printed by `make demo`; demo data only.
DEMO_PASSWORD = "AnGiang@2026"  # noqa: S105 - a published demo password, never a real one


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    agency_code: str
    roles: tuple[str, ...]
    what: str


DEMO_LOGINS = [
    DemoLogin(
        "quantri.tinh",
        "Nguyễn Văn Quản",
        "000.00.00.H01",
        ("province_admin",),
        "quản trị tỉnh: danh mục thủ tục, cơ quan, lịch làm việc",
    ),
    DemoLogin(
        "tiepnhan.tinh",
        "Trần Thị Ngọc Hân",
        "000.00.31.H01",
        ("reception",),
        "cán bộ tiếp nhận, Trung tâm Phục vụ hành chính công tỉnh",
    ),
    DemoLogin(
        "chuyenvien.stp", "Lê Minh Trí", "000.00.03.H01", ("specialist",), "chuyên viên Sở Tư pháp"
    ),
    DemoLogin(
        "lanhdao.stp", "Phạm Thị Thu Hương", "000.00.03.H01", ("leader",), "lãnh đạo Sở Tư pháp"
    ),
    DemoLogin(
        "tiepnhan.longxuyen",
        "Võ Thị Kim Yến",
        "001.03.50.H01",
        ("reception",),
        "cán bộ tiếp nhận, Trung tâm Phục vụ hành chính công phường Long Xuyên",
    ),
    DemoLogin(
        "chuyenvien.longxuyen",
        "Huỳnh Văn Đức",
        "000.03.50.H01",
        ("specialist",),
        "công chức tư pháp - hộ tịch, UBND phường Long Xuyên",
    ),
    DemoLogin(
        "lanhdao.longxuyen",
        "Đặng Quốc Bảo",
        "000.03.50.H01",
        ("leader",),
        "lãnh đạo UBND phường Long Xuyên",
    ),
    DemoLogin(
        "vanthu.tinh", "Ngô Thị Lan", "000.00.01.H01", ("clerk",), "văn thư Văn phòng UBND tỉnh"
    ),
    DemoLogin(
        "thanhtra.tinh",
        "Bùi Văn Sơn",
        "000.00.14.H01",
        ("auditor",),
        "thanh tra, giám sát (chỉ xem)",
    ),
]

# The province's own calendar entries. The national package already knows these two days;
# recording them shows how a province enters a swap, and the data wins if the two differ.
DEMO_CALENDAR = [
    (
        datetime.date(2026, 8, 22),
        "working_day",
        "Làm bù cho ngày nghỉ thứ Hai 31/8/2026",
        "Thông báo hoán đổi ngày làm việc dịp Quốc khánh 2026 (dữ liệu mẫu)",
    ),
    (
        datetime.date(2026, 8, 31),
        "day_off",
        "Nghỉ hoán đổi trước Quốc khánh 2/9/2026",
        "Thông báo hoán đổi ngày làm việc dịp Quốc khánh 2026 (dữ liệu mẫu)",
    ),
]


@dataclass
class SeedReport:
    agencies_written: int
    agencies_total: int
    procedures: ImportResult
    calendar_written: int
    staff_created: int


@dataclass(frozen=True)
class DemoClient:
    """An outside system's connection account in the demo, with its published secret."""

    system: str
    name: str
    scopes: tuple[str, ...]
    client_id: str
    secret: str


DEMO_CLIENTS = (
    DemoClient(
        "dvcqg",
        "Cổng DVC quốc gia (mô phỏng)",
        ("dossier.status",),
        "dvcqg-demo",
        "DVCQG-demo-2026",
    ),
    DemoClient(
        "thue", "Cục Thuế tỉnh An Giang (mô phỏng)", ("tax.payment",), "thue-demo", "Thue-demo-2026"
    ),
    # The national portal simulator's citizen page hands its dossiers over with this account
    # (sims/server.py Config: motcua_client_id, motcua_client_secret).
    DemoClient(
        "dvcqg",
        "Cổng DVC quốc gia — chuyển hồ sơ công dân nộp trên Cổng (mô phỏng)",
        ("dossier.status", "dossier.submit"),
        "dvcqg-portal",
        "dvcqg-portal-demo-secret",
    ),
)


def _demo_connection_accounts() -> None:
    existing = set(
        get_application_model()
        .objects.filter(client_id__in=[c.client_id for c in DEMO_CLIENTS])
        .values_list("client_id", flat=True)
    )
    for client in DEMO_CLIENTS:
        if client.client_id not in existing:
            connection_account_create(
                system_code=client.system,
                name=client.name,
                scopes=client.scopes,
                client_id=client.client_id,
                client_secret=client.secret,
            )


def seed_demo() -> SeedReport:
    agencies = all_agencies()
    written = 0
    for agency in agencies:
        _, changed = agency_upsert(
            code=agency.code,
            name=agency.name,
            short_name=agency.short_name,
            kind=agency.kind,
            parent_code=agency.parent_code,
            province_code=PROVINCE_CODE,
            ward_code=agency.ward_code,
            phone=agency.phone or None,
            valid_from=REFORM_DAY,
        )
        written += changed
    procedures = procedures_import(data=json.loads(PROCEDURES_FILE.read_text(encoding="utf-8")))
    registry_install()  # the national systems the demo's bus talks to (sims/)
    _demo_connection_accounts()
    calendar_written = sum(
        calendar_entry_set(date=date, kind=kind, name=name, legal_basis=basis)[1]
        for date, kind, name, basis in DEMO_CALENDAR
    )
    existing = set(
        get_user_model()
        .objects.filter(username__in=[login.username for login in DEMO_LOGINS])
        .values_list("username", flat=True)
    )
    for login in DEMO_LOGINS:
        if login.username in existing:
            continue
        staff_provision(
            username=login.username,
            password=DEMO_PASSWORD,
            agency_code=login.agency_code,
            roles=login.roles,
            full_name=login.full_name,
            # An address, so the demo shows work arriving by e-mail too (in the mailbox page);
            # each officer can turn it off on their notices page.
            email=f"{login.username}@example.vn",
            title=officer_title(login.agency_code, login.roles[0]),
        )
    return SeedReport(
        agencies_written=written,
        agencies_total=len(agencies),
        procedures=procedures,
        calendar_written=calendar_written,
        staff_created=len(DEMO_LOGINS) - len(existing),
    )
