"""National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG): every dossier and every
step of it, synced on every event (DOMAIN §8; payload of the reference §8.3).

The payload is a snapshot taken inside the event's transaction, so the portal hears each step
as it was, even when the message leaves hours later. Dates are local time `yyyyMMddHHmmss`;
status codes 1–10 and channel codes 1–3 are the portal's own.

A dossier a citizen submitted on the portal itself reaches the desk through the bus
(`inbound`, service `dvcqg.dossier.submit`) and is synced back like any other, carrying the
portal's reference (`MaHoSoDVCQG`) and `NoiNopHoSo` 1.

People are named as people, never by their login: a step's `NguoiXuLy` is the officer's full
name and its `ChucDanh` the title (chức vụ) they hold at the agency of the step, or the label
of their role there (`officer_of`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User

from egov.dossiers.lifecycle import EVENT_LABELS, NATIONAL_CODE, Status
from egov.dossiers.models import (
    CHANNEL_CODE,
    Channel,
    Dossier,
    DossierEvent,
    ProcessTask,
    ReturnMethod,
)
from egov.dossiers.selectors import known_children
from egov.orgs.models import Membership, Role
from egov.orgs.selectors import memberships_of

from ..models import OutboxMessage
from . import http

ROLE_LABELS = dict(Role.choices)
SYSTEM = "dvcqg"
SERVICE = "dvcqg.dossier.sync"
# How the applicant gets the result, in the portal's codes: `HinhThuc` in the sync and
# `HinhThucNhanKetQua` in a dossier the portal hands over (the same table both ways).
RETURN_CODE = {ReturnMethod.COUNTER: 1, ReturnMethod.ONLINE: 2, ReturnMethod.POSTAL: 3}
# LoaiPhiLePhi: 1 phí, 2 lệ phí.
_FEE_KIND = {"fee": 1, "charge": 2}
# NoiNopHoSo: where the applicant submitted: on the national portal (received through the
# bus, `Dossier.national_reference`), or at the province's own system (desk or portal).
SUBMITTED_NATIONALLY = 1
SUBMITTED_LOCALLY = 2


def portal_time(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Officer:
    """Who took a step, as the portal shows people."""

    name: str  # NguoiXuLy: the full name
    title: str  # ChucDanh: the title held, or the role


SYSTEM_OFFICER = Officer(name="Hệ thống", title="")


def membership_title(membership: Membership) -> str:
    """The title (chức vụ) recorded on a membership; "" where there is none."""
    return " ".join(membership.title.split())


def officer_of(user: User | None, *, agencies: Sequence[int], role: str = "") -> Officer:
    """The officer as the portal names them: the full name, never the login, and what they
    were there as — the title of their active membership at the first of `agencies` (the
    step's own first) where they hold one, else that membership's role, else `role` (the
    step's). An account with no full name is named by that capacity. None is the system."""
    if user is None:
        return SYSTEM_OFFICER
    held: dict[int, list[Membership]] = {}
    for membership in memberships_of(user=user):  # active, by pk; cached per process
        if membership.agency_id in agencies:
            held.setdefault(membership.agency_id, []).append(membership)
    there = next((held[agency] for agency in agencies if agency in held), [])
    titles = [title for membership in there if (title := membership_title(membership))]
    if titles:
        capacity = titles[0]
    elif there:
        capacity = there[0].get_role_display()
    else:
        capacity = ROLE_LABELS.get(role, role)
    full_name = " ".join(user.get_full_name().split())
    return Officer(name=full_name or capacity, title=capacity)


def dossier_key(dossier: Dossier) -> str:
    """The portal knows a dossier by its code; an online one not yet received by its
    provisional reference."""
    return dossier.code or str(dossier.reference)


def event_payload(event: DossierEvent, *, since_seq: int) -> dict[str, Any]:
    """The sync message for one event of a dossier, as the portal expects it; its process
    steps are the events after `since_seq` (the last one the portal was sent), this one
    included, so steps taken before the dossier had its code reach the portal with the first
    message that carries the code."""
    dossier = event.dossier
    procedure = dossier.procedure
    status_code = NATIONAL_CODE[Status(dossier.status)]
    # Its steps, latest first: the latest is the one this event is at.
    tasks = sorted(
        known_children(dossier, "tasks", dossier.tasks.select_related("agency")),
        key=lambda task: (task.started_at, task.pk),
        reverse=True,
    )
    task = tasks[0] if tasks else None
    documents = known_children(dossier, "documents", dossier.documents.all())
    key = dossier_key(dossier)
    # Where an officer of this dossier may have acted, for the title they acted under.
    agencies = _agencies_of(dossier, tasks)
    return {
        "MaHoSo": key,
        "MaTTHC": procedure.national_code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": procedure.sector.code,
        "TenLinhVuc": procedure.sector.name,
        "KenhThucHien": CHANNEL_CODE[Channel(dossier.channel)],
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": dossier.applicant_type,
        "MaDoiTuong": "",
        "SoGiayToChuHoSo": dossier.applicant_id_number or dossier.applicant_tax_code,
        "ThongTinKhac": "",
        "Email": dossier.applicant_email,
        "Fax": "",
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": f"{procedure.name} — {dossier.applicant_name}"[:500],
        "NgayNopHoSo": portal_time(dossier.submitted_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "TrangThaiHoSo": status_code,
        "NgayTra": portal_time(dossier.returned_at),
        "ThongTinTra": ReturnMethod(dossier.return_method).label,
        "HinhThuc": RETURN_CODE[ReturnMethod(dossier.return_method)],
        "NgayKetThucXuLy": portal_time(dossier.completed_at),
        "DonViXuLy": dossier.competent_agency.name,
        "GhiChu": event.note,
        "NoiNopHoSo": SUBMITTED_NATIONALLY if dossier.national_reference else SUBMITTED_LOCALLY,
        # The portal's own reference of a dossier submitted there ("" for the others): how
        # the portal matches the sync to what its citizen submitted.
        "MaHoSoDVCQG": dossier.national_reference,
        "HoSoCoThanhPhanSoHoa": int(dossier.digitised),
        "TaiKhoanDuocXacThucVoiVNeID": int(dossier.vneid_verified),
        # 1 the national payment platform, 2 the province's gateway, 0 not paid online.
        "DuocThanhToanTrucTuyen": 2 if dossier.paid_online else 0,
        "NgayTuChoi": portal_time(event.at) if dossier.status == Status.REFUSED else "",
        "DinhDanhCHS": (
            [{"LoaiDinhDanh": 1, "SoDinhDanh": dossier.applicant_id_number}]
            if dossier.applicant_id_number
            else []
        ),
        # ⚠️ The portal has not published this list's format: a best guess, to be checked
        # against the national portal's integration document before going live.
        "DSKetNoiCSDL": [{"MaCSDL": "CSDLDC", "TenCSDL": "Cơ sở dữ liệu quốc gia về dân cư"}]
        if dossier.population_verified
        else [],
        "TaiLieuNop": [
            {
                "TepDinhKemId": str(document.uuid),
                "TenTepDinhKem": document.name,
                "MaThanhPhanHoSo": document.component,
                "DuocSoHoa": int(document.digitised),
                # Taken from the applicant's earlier papers or results instead of uploaded.
                "DuocTaiSuDung": int(document.reused_from_id is not None),
            }
            for document in documents
            if not document.is_result
        ],
        "DanhSachGiayToKetQua": [
            {"GiayToId": str(document.uuid), "TenGiayTo": document.name}
            for document in documents
            if document.is_result
        ],
        "DanhSachTepDinhKemKhac": [],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": fee.name,
                "MaPhiLePhi": fee.code,
                "HinhThucThu": 2 if dossier.paid_online else 1,
                "Gia": fee.amount,
                "LoaiPhiLePhi": _FEE_KIND.get(fee.kind, 1),
            }
            for fee in known_children(dossier, "fees", dossier.fees.all())
        ],
        "DanhSachHoSoBoSung": [
            {
                "NguoiYeuCauBoSung": officer_of(supplement.requested_by, agencies=agencies).name
                if supplement.requested_by
                else "",
                "NoiDungBoSung": supplement.reason,
                "NgayBoSung": portal_time(supplement.requested_at),
                "NguoiTiepNhanBoSung": "",
                "ThongTinTiepNhan": "",
                "NgayTiepNhanBoSung": portal_time(supplement.completed_at),
                "TrangThaiBoSung": 1 if supplement.completed_at else 0,
            }
            for supplement in known_children(
                dossier, "supplements", dossier.supplements.select_related("requested_by")
            )
        ],
        "QuaTrinhXuLy": [
            _step(
                key,
                earlier,
                status_code=NATIONAL_CODE[Status(earlier.to_status)],
                task=None,
                officer=officer_of(earlier.actor, agencies=agencies),
                place=dossier.receiving_agency.name,
                due=dossier.due_at,
            )
            for earlier in known_children(
                dossier,
                "events",
                dossier.events.filter(seq__gt=since_seq, seq__lt=event.seq).select_related("actor"),
            )
            if since_seq < earlier.seq < event.seq
        ]
        + [
            _step(
                key,
                event,
                status_code=status_code,
                task=task,
                officer=officer_of(
                    event.actor,
                    agencies=[task.agency_id, *agencies] if task else agencies,
                    role=task.role if task else "",
                ),
                place=task.agency.name if task else dossier.receiving_agency.name,
                due=task.due_at if task else dossier.due_at,
            )
        ],
    }


def _agencies_of(dossier: Dossier, tasks: list[ProcessTask]) -> list[int]:
    """The desk that received the dossier, the agency that decides it, then the agencies of
    its steps (`tasks`, latest first)."""
    steps = [task.agency_id for task in tasks]
    found = [dossier.receiving_agency_id, dossier.competent_agency_id, *steps]
    return list(dict.fromkeys(found))


def _step(
    key: str,
    event: DossierEvent,
    *,
    status_code: int,
    task: ProcessTask | None,
    officer: Officer,
    place: str,
    due: datetime.datetime | None,
) -> dict[str, Any]:
    return {
        "MaHoSo": key,
        "NguoiXuLy": officer.name,
        "ChucDanh": officer.title,
        "ThoiDiemXuLy": portal_time(event.at),
        "PhongBanXuLy": place,
        "NoiDungXuLy": _step_text(event),
        "TrangThai": status_code,
        "NgayBatDau": portal_time(task.started_at if task else event.at),
        "NgayKetThucTheoQuyDinh": portal_time(due),
    }


def _step_text(event: DossierEvent) -> str:
    label = EVENT_LABELS.get(event.action, event.action)
    return f"{label}: {event.note}"[:1000] if event.note else label


def send(message: OutboxMessage) -> http.Attempt:
    return http.call(
        SYSTEM,
        "POST",
        "/api/hoso/dongbo",
        body=message.payload,
        idempotency_key=message.idempotency_key,
    ).attempt
