"""Mẫu 06 Sổ theo dõi hồ sơ: the receiving desk's tracking book, as a PDF (A4 landscape)
and as a spreadsheet for the desk's own sums.

One book per desk per year, numbered continuously from 01 (TT 01/2018 art. 10): a row's
number is the dossier's `book_number`, given at receipt, and the rows are in its order.
"""

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractYear
from django.utils import timezone

from egov.core.pdf import render_pdf
from egov.core.spreadsheets import append_text_row
from egov.orgs.models import Agency, Membership

from ..lifecycle import FINAL, Status
from ..models import Channel, Dossier, DossierEvent, ProcessTask
from .common import TEMPLATES, FormNotAvailableError, issuer
from .formatting import (
    Officer,
    address,
    book_number,
    officer,
    place_name,
    short_time,
    vn_date,
    vn_long_date,
)

MAX_BOOK_DAYS = 366
# The years a book may be asked for: from this one to next year.
FIRST_BOOK_YEAR = 2000


@dataclass(frozen=True)
class BookRow:
    """One line of the tracking book (Mẫu 06)."""

    number: int | None  # the row of the desk's book for the year; None before books
    code: str
    procedure: str
    applicant: str
    address: str
    phone: str
    competent: str
    received: str
    receiver: Officer
    due: str
    transferred: str
    completed: str
    returned: str
    note: str

    @property
    def stt(self) -> str:
        """The "STT" column as printed: "01", "1234"."""
        return book_number(self.number)


def tracking_book_rows(
    agency: Agency, date_from: datetime.date, date_to: datetime.date
) -> list[BookRow]:
    """The lines of Mẫu 06: the dossiers the desk received from date_from to date_to (whole
    days in the province's time zone), by year and book number. One query."""
    last_year = timezone.localdate().year + 1
    if date_from.year < FIRST_BOOK_YEAR or date_to.year > last_year:
        # A date the calendar's arithmetic cannot pass (31/12/9999 + 1 day, 01/01/0001 in
        # UTC), and no book was ever kept for it.
        raise FormNotAvailableError(
            f"Kỳ theo dõi phải trong các năm từ {FIRST_BOOK_YEAR} đến {last_year}."
        )
    if date_from > date_to:
        raise FormNotAvailableError("Ngày bắt đầu của kỳ theo dõi phải trước ngày kết thúc.")
    if (date_to - date_from).days > MAX_BOOK_DAYS:
        # One book is printed per month or year; a longer one is a mistake, or an attack.
        raise FormNotAvailableError("Mỗi lần in sổ theo dõi tối đa một năm.")
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    # The first step after the desk's (step 2, or a later one when step 2 is conditional).
    transfers = ProcessTask.objects.filter(dossier=OuterRef("pk"), position__gt=1).order_by(
        "started_at", "pk"
    )
    # The event that received the dossier (`receive`, or completing an intake supplement),
    # whose officer the book names beside the time of receipt.
    receipts = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), to_status=Status.RECEIVED)
        .exclude(from_status=Status.RECEIVED)
        .order_by("seq")
    )
    receiver_title = (
        Membership.objects.filter(
            user_id=OuterRef("receiver_id"), agency_id=OuterRef("receiving_agency_id")
        )
        .exclude(title="")
        .order_by("-active", "-pk")
    )
    dossiers = (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=start, received_at__lt=end)
        .select_related("competent_agency", "apology")
        .defer("form_data", "received_papers")
        .annotate(
            procedure_name=KeyTextTransform("name", "procedure_revision__content"),
            transferred_at=Subquery(transfers.values("started_at")[:1]),
            receiver_id=Subquery(receipts.values("actor_id")[:1]),
            receiver_first_name=Subquery(receipts.values("actor__first_name")[:1]),
            receiver_last_name=Subquery(receipts.values("actor__last_name")[:1]),
            receiver_title=Subquery(receiver_title.values("title")[:1]),
            book_year=ExtractYear("received_at"),
        )
        .order_by("book_year", F("book_number").asc(nulls_last=True), "received_at", "code")
    )
    return [_book_row(dossier) for dossier in dossiers]


def _book_row(dossier: Any) -> BookRow:
    """A line from a dossier carrying the annotations of tracking_book_rows (typed Any: the
    type checker does not follow annotations through the dossiers' own queryset class)."""
    return BookRow(
        number=dossier.book_number,
        code=dossier.code or "",
        procedure=dossier.procedure_name,
        applicant=dossier.applicant_name,
        address=address(dossier),
        phone=dossier.applicant_phone,
        competent=dossier.competent_agency.name,
        received=short_time(dossier.received_at),
        receiver=_receiver(dossier),
        due=short_time(dossier.original_due_at or dossier.due_at),
        transferred=short_time(dossier.transferred_at),
        completed=short_time(dossier.completed_at),
        returned=short_time(dossier.returned_at),
        note=_book_note(dossier),
    )


def _receiver(dossier: Any) -> Officer:
    """The receiving officer from the line's own columns: an unsaved account holding the two
    name fields, so that the name is the account's get_full_name(), as everywhere else."""
    if dossier.receiver_id is None:
        return officer(None)
    account = get_user_model()(
        first_name=dossier.receiver_first_name or "", last_name=dossier.receiver_last_name or ""
    )
    return officer(account, dossier.receiver_title)


def tracking_book(agency: Agency, date_from: datetime.date, date_to: datetime.date) -> bytes:
    """Mẫu 06 Sổ theo dõi hồ sơ as a PDF (A4 landscape), under the desk. Two queries."""
    rows = tracking_book_rows(agency, date_from, date_to)
    desk = Agency.objects.select_related("parent").get(pk=agency.pk)
    context = {
        "title": "SỔ THEO DÕI HỒ SƠ",
        "issuer": issuer(desk),
        "place_date": f"{place_name(desk)}, {vn_long_date(timezone.localdate())}",
        "period": f"Từ ngày {vn_date(date_from)} đến ngày {vn_date(date_to)}",
        "rows": rows,
    }
    return render_pdf(f"{TEMPLATES}/tracking_book.html", context)


def _book_note(dossier: Dossier) -> str:
    notes = []
    if dossier.channel != Channel.COUNTER:
        notes.append(Channel(dossier.channel).label)
    # A missing reverse one-to-one raises a DoesNotExist that is also an AttributeError.
    if (letter := getattr(dossier, "apology", None)) is not None:
        notes.append(f"Hẹn lại ngày {vn_date(letter.new_due_at)} (Mẫu 04)")
    if dossier.status in FINAL and dossier.status != Status.RETURNED:
        notes.append(Status(dossier.status).label)
    return "; ".join(notes)


# --------------------------------------------------------------------------- spreadsheet

XLSX_HEADERS = [
    ("STT", 6),
    ("Mã hồ sơ", 28),
    ("Thủ tục", 40),
    ("Người nộp", 26),
    ("Địa chỉ", 36),
    ("Điện thoại", 14),
    ("Cơ quan giải quyết", 32),
    ("Tiếp nhận", 17),
    ("Cán bộ tiếp nhận", 30),
    ("Hẹn trả", 17),
    ("Chuyển xử lý", 17),
    ("Có kết quả", 17),
    ("Trả kết quả", 17),
    ("Ghi chú", 30),
]


def tracking_book_xlsx(agency: Agency, date_from: datetime.date, date_to: datetime.date) -> bytes:
    """The same lines as the printed book, one row each, with a header row."""
    rows = tracking_book_rows(agency, date_from, date_to)
    # Imported here: a web worker that never makes a spreadsheet does not carry openpyxl.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.create_sheet("So theo doi ho so", 0)
    book.remove(book.worksheets[1])  # the empty default sheet
    sheet.title = "So theo doi ho so"
    append_text_row(sheet, [f"SỔ THEO DÕI HỒ SƠ — {agency.name}"])
    sheet.append([f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"])
    sheet.append([title for title, _ in XLSX_HEADERS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_, width) in enumerate(XLSX_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        append_text_row(
            sheet,
            [
                row.number,
                row.code,
                row.procedure,
                row.applicant,
                row.address,
                row.phone,
                row.competent,
                row.received,
                str(row.receiver),
                row.due,
                row.transferred,
                row.completed,
                row.returned,
                row.note,
            ],
        )
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
