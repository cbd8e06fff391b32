"""The printable forms of a dossier (DOMAIN §3 "Forms"; regulations §1.6).

TT 01/2018/TT-VPCP annex: Mẫu 01 receipt and appointment slip, 02 supplement request, 03
refusal of intake, 04 apology and new appointment, 05 process control slip, 06 tracking book;
and the stop notice of TT 03/2025/TT-VPCP. Slips are A5 portrait, the book A4 landscape.

- `formatting`: how the forms write times, dates, addresses, labels and officers;
- `common`: the forms' titles, their refusal, the issuing unit, officers' titles;
- `slips`: Mẫu 01–05 and the stop notice, one dossier each;
- `book`: Mẫu 06, the desk's tracking book, as PDF and as a spreadsheet.

Nothing here writes.
"""

from .book import BookRow, tracking_book, tracking_book_rows, tracking_book_xlsx
from .common import FORM_TITLES, FormNotAvailableError
from .formatting import Officer, lookup_path, officer, vn_date, vn_long_date, vn_time
from .slips import (
    FORMS,
    ControlRow,
    apology,
    forms_available,
    process_control_slip,
    receipt_slip,
    refusal,
    stop_notice,
    supplement_request,
)

__all__ = [
    "FORMS",
    "FORM_TITLES",
    "BookRow",
    "ControlRow",
    "FormNotAvailableError",
    "Officer",
    "apology",
    "forms_available",
    "lookup_path",
    "officer",
    "process_control_slip",
    "receipt_slip",
    "refusal",
    "stop_notice",
    "supplement_request",
    "tracking_book",
    "tracking_book_rows",
    "tracking_book_xlsx",
    "vn_date",
    "vn_long_date",
    "vn_time",
]
