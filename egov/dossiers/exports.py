"""Spreadsheet exports: the tracking book (Mẫu 06) as XLSX, for the desk's own sums."""

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from egov.orgs.models import Agency

from .printing import tracking_book_rows

HEADERS = [
    ("STT", 6),
    ("Mã hồ sơ", 28),
    ("Thủ tục", 40),
    ("Người nộp", 26),
    ("Địa chỉ", 36),
    ("Điện thoại", 14),
    ("Cơ quan giải quyết", 32),
    ("Tiếp nhận", 17),
    ("Hẹn trả", 17),
    ("Chuyển xử lý", 17),
    ("Có kết quả", 17),
    ("Trả kết quả", 17),
    ("Ghi chú", 30),
]


def tracking_book_xlsx(agency: Agency, date_from: datetime.date, date_to: datetime.date) -> bytes:
    """The same lines as the printed book, one row each, with a header row."""
    rows = tracking_book_rows(agency, date_from, date_to)
    book = Workbook()
    sheet = book.create_sheet("So theo doi ho so", 0)
    book.remove(book.worksheets[1])  # the empty default sheet
    sheet.title = "So theo doi ho so"
    sheet.append([f"SỔ THEO DÕI HỒ SƠ — {agency.name}"])
    sheet.append([f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"])
    sheet.append([title for title, _ in HEADERS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_, width) in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(
            [
                row.number,
                row.code,
                row.procedure,
                row.applicant,
                row.address,
                row.phone,
                row.competent,
                row.received,
                row.due,
                row.transferred,
                row.completed,
                row.returned,
                row.note,
            ]
        )
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
