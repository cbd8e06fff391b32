"""Rows for spreadsheets that people open in Excel or LibreOffice: what the applicant typed
stays text there, and stored text never breaks a file.

- A text that begins with "=", "+", "-", "@", a tab or a carriage return would be read, or
  become on the next edit, a formula (`=HYPERLINK(...)` in an applicant's name): each text is
  stored as a string and such a one also carries the "quote prefix" style, the file's own way
  of saying "typed with a leading apostrophe", so it shows as typed and stays text when edited.
- Characters the file's XML cannot carry (C0 controls but tab, line feed and carriage return)
  become U+FFFD, so one stored name with a NUL does not fail the month's file for everyone."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

# openpyxl is imported by the first spreadsheet, not with the site (docs/performance.md).
if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """The text as a spreadsheet file can carry it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def append_text_row(sheet: "Worksheet", values: Iterable[object]) -> None:
    """Append a row whose texts stay texts, whatever they begin with."""
    sheet.append([cell_text(value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
